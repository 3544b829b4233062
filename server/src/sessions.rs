//! Sessions: stored in SQLite, signed out after a shift without a request
//! (activity extends it, see `app::auth::session_actor`), and never brought
//! back once deleted.

use async_trait::async_trait;
use sqlx::SqlitePool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::config::Config;

/// The session layer over SQLite, plus a task deleting expired sessions.
pub async fn session_layer(
    pool: &SqlitePool,
    cfg: &Config,
) -> Result<SessionManagerLayer<ExistingOnly>, sqlx::Error> {
    let store = ExistingOnly::new(pool);
    store.store.migrate().await?;
    let sweeper = store.store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = sweeper.delete_expired().await {
                tracing::warn!(error = %e, "expired sessions not deleted");
            }
        }
    });
    Ok(SessionManagerLayer::new(store)
        .with_name("mw_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(cfg.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            cfg.session_idle_minutes.max(1),
        ))))
}

/// The SQLite store, except that saving a session only updates one that
/// still exists. The plain store's save is an upsert: a request that read
/// its session before a sign-out elsewhere, and saved it afterwards (an
/// idle-limit extension), would re-create the signed-out session. New
/// sessions come through `create`, which inserts.
#[derive(Clone, Debug)]
pub struct ExistingOnly {
    store: SqliteStore,
    pool: SqlitePool,
}

impl ExistingOnly {
    pub fn new(pool: &SqlitePool) -> Self {
        ExistingOnly {
            store: SqliteStore::new(pool.clone()),
            pool: pool.clone(),
        }
    }
}

#[async_trait]
impl SessionStore for ExistingOnly {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let backend = |e: &dyn std::fmt::Display| session_store::Error::Backend(e.to_string());
        let data =
            rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        app::store::sessions::save_existing(
            &self.pool,
            &record.id.to_string(),
            data,
            record.expiry_date,
        )
        .await
        .map_err(|e| backend(&e))?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}
