//! CSV export: every record matching a filter, streamed in keyset batches so
//! exporting a million records keeps memory flat.

use futures::stream::{self, Stream};
use sqlx::SqlitePool;

use super::log::AuditLog;
use super::record::{AuditFilter, AuditRecord};
use crate::store::audit::{fetch, COLUMNS};

/// Records per query while exporting.
const BATCH: u32 = 1_000;

/// Where an export has got to.
enum Cursor {
    Header,
    /// Next batch: records before this `seq` (`None`: from the newest).
    Before(Option<i64>),
    Done,
}

impl AuditLog {
    /// The records matching `filter` as CSV (RFC 4180, CRLF line ends),
    /// newest first: a header chunk, then one chunk per batch of lines.
    /// `filter.limit` is ignored; `before_seq` is where the export starts.
    /// Hashes are included so an export can be checked against the log.
    pub fn csv(
        &self,
        filter: &AuditFilter,
    ) -> impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static {
        csv_batches(self.pool.clone(), filter.clone(), BATCH)
    }
}

/// [`AuditLog::csv`] with a chosen batch size, so tests can cross batches.
pub(super) fn csv_batches(
    pool: SqlitePool,
    filter: AuditFilter,
    batch: u32,
) -> impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static {
    stream::try_unfold(Cursor::Header, move |cursor| {
        let pool = pool.clone();
        let filter = filter.clone();
        async move {
            let before = match cursor {
                Cursor::Header => {
                    let header = format!("{}\r\n", COLUMNS.replace(' ', ""));
                    return Ok(Some((header, Cursor::Before(filter.before_seq))));
                }
                Cursor::Before(before) => before,
                Cursor::Done => return Ok(None),
            };
            let page = AuditFilter {
                before_seq: before,
                ..filter
            };
            let records = fetch(&pool, &page, batch).await?;
            let Some(last) = records.last() else {
                return Ok(None);
            };
            let next = if records.len() < batch as usize {
                Cursor::Done
            } else {
                Cursor::Before(Some(last.seq))
            };
            let mut chunk = String::new();
            for record in &records {
                push_line(&mut chunk, record);
            }
            Ok(Some((chunk, next)))
        }
    })
}

/// Appends `record` as one CSV line, columns in [`COLUMNS`] order.
pub(super) fn push_line(out: &mut String, r: &AuditRecord) {
    let seq = r.seq.to_string();
    let duration = r.duration_ms.to_string();
    let fields = [
        seq.as_str(),
        &r.at,
        &r.actor,
        &r.source,
        &r.workspace,
        &r.action,
        &r.target_kind,
        &r.target_id,
        &r.target_name,
        &r.params,
        &r.before,
        &r.after,
        r.outcome.as_str(),
        &r.message,
        &duration,
        &r.prev_hash,
        &r.hash,
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::csv::push_text(out, field);
    }
    out.push_str("\r\n");
}
