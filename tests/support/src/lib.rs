//! What the workspace's tests share across crates, so that no helper is
//! copied between them: the host's integration tests and the plugins' own
//! tests depend on it as a dev-dependency, and it depends on nothing of the
//! workspace.

pub mod recordings;
