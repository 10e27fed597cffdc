// The person's code as images a phone screen or a printout carries to the counter: a QR code
// (error correction M) and a Code128 barcode, both PNG, both holding exactly the 8-character code
// the console accepts. Sized so a scanner reads them off a phone held at arm's length.
import bwipjs from 'bwip-js';
import QRCode from 'qrcode';

export async function qrPng(code: string): Promise<Buffer> {
  return QRCode.toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 12 });
}

export async function code128Png(code: string): Promise<Buffer> {
  // A quiet zone of ten modules each side, as Code128 asks; no text under the bars (the page shows it larger).
  return bwipjs.toBuffer({ bcid: 'code128', text: code, scale: 4, height: 18, paddingwidth: 10, paddingheight: 4, backgroundcolor: 'FFFFFF' });
}
