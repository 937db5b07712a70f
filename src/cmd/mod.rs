//! One module per subcommand.

pub mod compile;
pub mod fonts;
pub mod init;
pub mod preflight;
pub mod preview;
pub mod watch;
