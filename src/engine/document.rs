//! The laid-out document: Typst runs on the world.

use typst::diag::Warned;
use typst_layout::PagedDocument;

use crate::engine::world::FolioWorld;
use crate::error::Error;

/// Lays out the issue. Typst's warnings are returned with the document.
pub fn layout(
    world: &FolioWorld,
) -> Result<(PagedDocument, Vec<typst::diag::SourceDiagnostic>), Error> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    match output {
        Ok(doc) => Ok((doc, warnings.into_iter().collect())),
        Err(errors) => {
            let mut all = errors;
            all.extend(warnings);
            Err(Error::Typst(all))
        }
    }
}
