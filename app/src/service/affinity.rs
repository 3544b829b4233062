//! Affinity rules once the guard allowed it: the rules naming a domain,
//! and adding or removing one on the domain's page. A rule's domains are
//! of one workspace (the domain's); a pin's hosts are among those the
//! member sees and the workspace may use.

use crate::affinity::{DomainAffinity, Rule, RuleForm, RuleKind};
use crate::error::{AppError, FieldError};
use crate::i18n::Key;
use crate::model::domain::DomainRow;
use crate::state::AppState;

/// The hosts a pin over `row` may name: those `actor` sees that `row`'s
/// workspace may use.
async fn pin_choices(
    state: &AppState,
    actor: &crate::policy::Actor,
    row: &DomainRow,
) -> Result<Vec<i64>, AppError> {
    let visible = crate::visibility::host_ids(state, actor).await?;
    let allowed =
        crate::service::workspaces::allowed_hosts(state, row.workspace.as_deref()).await?;
    Ok(visible
        .into_iter()
        .filter(|h| allowed.is_empty() || allowed.contains(h))
        .collect())
}

/// The rules naming `row` and what a new rule over it may name.
pub async fn for_domain(
    state: &AppState,
    actor: &crate::policy::Actor,
    row: &DomainRow,
) -> Result<DomainAffinity, AppError> {
    let uuid = row.uuid.to_ascii_lowercase();
    // A member learns only the names of the hosts it sees.
    let visible = crate::visibility::host_ids(state, actor).await?;
    let choices = pin_choices(state, actor, row).await?;
    let rules = crate::store::affinity::all(&state.pool).await?;
    Ok(state.gateway.read(|inv| {
        let all = || inv.hosts.values().flat_map(|h| h.domains.values());
        let name_of = |u: &String| {
            all()
                .find(|d| d.uuid.eq_ignore_ascii_case(u))
                .map_or_else(|| u.clone(), |d| d.name.clone())
        };
        let host_name = |h: &i64| match inv.hosts.get(h) {
            Some(e) if visible.contains(h) => e.name.clone(),
            _ => format!("#{h}"),
        };
        let mut others: Vec<(String, String)> = all()
            .filter(|d| d.workspace == row.workspace && !d.uuid.eq_ignore_ascii_case(&uuid))
            .map(|d| (d.uuid.clone(), d.name.clone()))
            .collect();
        others.sort_by(|a, b| a.1.cmp(&b.1));
        DomainAffinity {
            rules: rules
                .into_iter()
                .filter(|r| r.domains.contains(&uuid))
                .map(|r| {
                    let domains = r.domains.iter().map(name_of).collect();
                    let hosts = r.hosts.iter().map(host_name).collect();
                    (r, domains, hosts)
                })
                .collect(),
            others,
            hosts: inv
                .hosts
                .values()
                .filter(|h| choices.contains(&h.id))
                .map(|h| (h.id, h.name.clone()))
                .collect(),
        }
    }))
}

/// Adds the rule of `form` over `row` (and the others it names); its id.
pub async fn add(
    state: &AppState,
    actor: &crate::policy::Actor,
    row: &DomainRow,
    form: &RuleForm,
) -> Result<i64, AppError> {
    let choices = pin_choices(state, actor, row).await?;
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        errors.push(FieldError::new("name", Key::ErrAffinityName));
    }
    let kind = RuleKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", Key::ErrAffinityKind));
    }
    let must = form.strength.trim() != "should";
    // The other domains: of the same workspace as `row`, as the inventory knows them.
    let others: Vec<String> = state.gateway.read(|inv| {
        form.others
            .iter()
            .filter_map(|u| {
                inv.hosts
                    .values()
                    .flat_map(|h| h.domains.values())
                    .find(|d| d.uuid.eq_ignore_ascii_case(u.trim()) && d.workspace == row.workspace)
                    .map(|d| d.uuid.to_ascii_lowercase())
            })
            .filter(|u| !u.eq_ignore_ascii_case(&row.uuid))
            .collect()
    });
    let hosts: Vec<i64> = form
        .hosts
        .iter()
        .filter_map(|h| h.trim().parse::<i64>().ok())
        .filter(|h| choices.contains(h))
        .collect();
    if others.len() != form.others.len() {
        errors.push(FieldError::new("others", Key::ErrAffinityMembers));
    }
    match kind {
        Some(RuleKind::Pin) if hosts.is_empty() || hosts.len() != form.hosts.len() => {
            errors.push(FieldError::new("hosts", Key::ErrAffinityHosts))
        }
        Some(RuleKind::Apart | RuleKind::Together) if others.is_empty() => {
            errors.push(FieldError::new("others", Key::ErrAffinityMembers))
        }
        _ => {}
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        errors.dedup();
        return Err(AppError::Invalid(errors));
    };
    let mut domains = vec![row.uuid.to_ascii_lowercase()];
    domains.extend(others);
    let rule = Rule {
        id: 0,
        name: name.to_string(),
        kind,
        must,
        domains,
        hosts: if kind == RuleKind::Pin {
            hosts
        } else {
            Vec::new()
        },
        workspace: row.workspace.clone().unwrap_or_default(),
    };
    let by = &actor.username;
    Ok(crate::store::affinity::insert(&state.pool, &rule, by, &crate::jobs::now()).await?)
}

/// The rules of the workspaces `actor` sees (all for an administrator).
pub async fn visible(
    state: &AppState,
    actor: &crate::policy::Actor,
) -> Result<Vec<Rule>, AppError> {
    let slugs = actor.visible_slugs();
    let mut rules = crate::store::affinity::all(&state.pool).await?;
    rules.retain(|r| slugs.as_ref().is_none_or(|s| s.contains(&r.workspace)));
    Ok(rules)
}

/// Rule `id` of workspace `slug`, for a new domain of it to join.
pub async fn to_join(state: &AppState, slug: &str, id: i64) -> Result<Rule, AppError> {
    crate::store::affinity::all(&state.pool)
        .await?
        .into_iter()
        .find(|r| r.id == id && r.workspace == slug)
        .ok_or_else(|| AppError::field("affinity", Key::ErrAffinityRule))
}

/// Of `hosts`, those a new domain joining `rule` may be placed on (where
/// the rule's other domains are decides), or the rule named on the field.
pub fn for_new(
    state: &AppState,
    rule: &Rule,
    hosts: Vec<crate::placement::Candidate>,
) -> Result<Vec<crate::placement::Candidate>, AppError> {
    // The new domain has no UUID yet: it stands in the rule as this.
    const NEW: &str = "new";
    let mut rule = rule.clone();
    rule.domains.push(NEW.into());
    let at = crate::service::mobility::places(state, &Default::default());
    crate::affinity::hosts_for(&[rule], NEW, hosts, |c| c.host_id, &at)
        .map_err(|name| AppError::field_about("affinity", Key::MoveAffinity, &name))
}

/// Adds the new domain `uuid` to the rule it joined.
pub async fn joined(state: &AppState, rule: i64, uuid: &str) {
    if let Err(err) = crate::store::affinity::add_domain(&state.pool, rule, uuid).await {
        tracing::error!(error = %err, rule, uuid, "a new domain was not added to its rule");
    }
}

/// Removes rule `id` if it names `row`.
pub async fn remove(state: &AppState, row: &DomainRow, id: i64) -> Result<(), AppError> {
    let uuid = row.uuid.to_ascii_lowercase();
    let rules = crate::store::affinity::all(&state.pool).await?;
    if !rules
        .iter()
        .any(|r| r.id == id && r.domains.contains(&uuid))
    {
        return Err(AppError::NotFound);
    }
    crate::store::affinity::delete(&state.pool, id).await?;
    Ok(())
}
