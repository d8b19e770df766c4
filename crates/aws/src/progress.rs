//! Progress while reading, reported as events; the binary decides how to show them.

/// Told as each kind of resource is read. Implementations must be cheap: they are
/// called from the reading tasks.
pub trait Progress: Send + Sync {
    fn started(&self, kind: &'static str);
    /// `count` more resources of `kind` were read.
    fn advanced(&self, kind: &'static str, count: usize);
    fn finished(&self, kind: &'static str);
}

/// Shows nothing: for tests, and when stderr is not a terminal.
pub struct Silent;

impl Progress for Silent {
    fn started(&self, _kind: &'static str) {}
    fn advanced(&self, _kind: &'static str, _count: usize) {}
    fn finished(&self, _kind: &'static str) {}
}
