/**
 * How a codec tells, in Annex B, that a piece continues the picture before it (a picture
 * sent as several packets: slice groups, slice segments), and which NAL units of a piece
 * are slices. H.264's is in `h264/slice-joiner.ts`, H.265's in `h265/picture-pieces.ts`.
 */
export interface PictureRule {
  continuesPicture(annexB: Uint8Array): boolean;
  isSlice(nal: Uint8Array): boolean;
}
