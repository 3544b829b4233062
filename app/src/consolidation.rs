//! Consolidation evidence: host power models, how a VM is sized from its
//! history (`demand`), how few hosts a fleet can fit on (`bounds`), and the
//! replay of consolidation policies over utilization traces — CloudSim's
//! own model (`cloudsim`), exact enough to reproduce its published results.

#[cfg(feature = "ssr")]
pub mod bars;
pub mod bounds;
pub mod cloudsim;
pub mod cost;
pub mod demand;
pub mod planner;
pub mod power;
