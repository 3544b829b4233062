//! The demo plant: libvirt test-driver hosts shipped in `demo/`.

use std::path::Path;

use app::gateway::HostSpec;
use app::model::host::PlantTags;
use serde::Deserialize;
use sqlx::SqlitePool;

#[derive(Deserialize)]
struct Plant {
    hosts: Vec<DemoHost>,
}

#[derive(Deserialize)]
struct DemoHost {
    name: String,
    file: String,
    #[serde(default)]
    tags: DemoTags,
}

#[derive(Deserialize, Default)]
struct DemoTags {
    #[serde(default)]
    plant: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    cell: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid plant description: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Registers (or refreshes) the demo hosts and returns them.
pub async fn load(pool: &SqlitePool, dir: &Path) -> Result<Vec<HostSpec>, DemoError> {
    let dir = std::fs::canonicalize(dir).map_err(|source| DemoError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let manifest = dir.join("plant.json");
    let text = std::fs::read_to_string(&manifest).map_err(|source| DemoError::Read {
        path: manifest.display().to_string(),
        source,
    })?;
    let plant: Plant = serde_json::from_str(&text).map_err(|source| DemoError::Parse {
        path: manifest.display().to_string(),
        source,
    })?;
    let mut specs = Vec::new();
    for host in plant.hosts {
        let uri = test_uri(&dir.join(&host.file));
        let tags = PlantTags {
            plant: host.tags.plant,
            area: host.tags.area,
            line: host.tags.line,
            cell: host.tags.cell,
        };
        specs.push(app::store::hosts::upsert_demo(pool, &host.name, &uri, &tags).await?);
    }
    // The teams the demo domains belong to, allowed on every demo host.
    for (slug, name) in [
        ("ops", "Operations"),
        ("test", "Test"),
        ("dev", "Development"),
        ("design", "Design"),
    ] {
        let ws = app::store::workspaces::ensure(pool, slug, name).await?;
        for spec in &specs {
            app::store::workspaces::allow_host(pool, ws, spec.id).await?;
        }
    }
    Ok(specs)
}

/// `test:///abs/path.xml`, escaping what a URI cannot hold literally.
pub fn test_uri(path: &Path) -> String {
    format!("test://{}", app::url::encode_path(&path.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_spaces() {
        assert_eq!(
            super::test_uri(std::path::Path::new("/srv/my plant/a.xml")),
            "test:///srv/my%20plant/a.xml"
        );
    }
}
