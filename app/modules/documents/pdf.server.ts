// The platform's PDF builder (layout in pdf-render.server.ts). `renderPdf` runs the layout on a
// CPU worker thread so that the event loop keeps serving while a receipt, record or report is
// drawn; the output is the same bytes either way (rendering is deterministic).
import { runJob } from '~/modules/workers/pool.server';
import type { PdfDoc } from './pdf-render.server';

export { columnWidths, documentDigest, renderPdfInThisThread } from './pdf-render.server';
export type { Align, Block, PdfDoc, PdfMeta, Signer, TableColumn } from './pdf-render.server';

export function renderPdf(doc: PdfDoc): Promise<Uint8Array> {
  return runJob('renderPdf', doc);
}
