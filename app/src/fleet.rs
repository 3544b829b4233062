//! Running the fleet: the create form validated into a [`plan::Plan`]
//! (pure), and the service that carries a plan out. The libvirt side lives
//! in the gateway (`gateway::ops`).

pub mod changes;
pub mod media;
pub mod plan;
pub mod service;
