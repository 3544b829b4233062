//! Running the fleet: the create form validated into a [`plan::Plan`]
//! (pure). The libvirt side lives in the gateway (`gateway::ops`).

pub mod plan;
