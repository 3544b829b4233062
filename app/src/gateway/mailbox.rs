//! What a host's worker thread is asked to do: jobs from the gateway and
//! lifecycle news from libvirt's event thread (`events`).

use virt::connect::Connect;

/// A unit of work run on the host's connection.
pub type Job = Box<dyn FnOnce(&Connect) + Send>;

/// What a worker is asked to do.
pub enum Msg {
    Job(Job),
    DomainChanged { uuid: String },
    DomainGone { uuid: String },
    Closed,
    Stop,
}
