//! Consolidation evidence: host power models, and the replay of
//! consolidation policies over utilization traces — CloudSim's own model
//! (`cloudsim`), exact enough to reproduce its published results.

pub mod cloudsim;
pub mod power;
