//! From the laid-out document to files: the PDF (print and screen
//! editions, prepress post-processing), PNG rasters, and the atomic write.

pub mod output;
pub mod pdf;
pub mod prepress;
pub mod raster;
pub mod screen;
