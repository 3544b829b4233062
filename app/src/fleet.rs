//! Running the fleet: creating, powering and deleting VMs and containers.
//! The form is validated into a [`plan::Plan`] (pure); [`host_ops`] runs the
//! libvirt side on the host's worker, undoing what it made when a step fails.

#[cfg(feature = "ssr")]
pub mod host_ops;
#[cfg(feature = "ssr")]
pub mod networks;
pub mod plan;
#[cfg(feature = "ssr")]
pub mod reconfigure;
#[cfg(feature = "ssr")]
pub mod snapshots;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod upload;
