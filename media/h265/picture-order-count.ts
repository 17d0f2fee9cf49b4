import { isIrap, isRadl, isRasl, isSubLayerNonReference, isBla, isIdr } from './nal-unit-type.ts';

/** One picture's place in output order. */
export interface PictureOrder {
  /** PicOrderCntVal: pictures are output in increasing order within a coded video sequence. */
  poc: number;
  /** An IRAP that starts a coded video sequence (IDR, BLA, the first picture, a CRA after EOS): POCs restart. */
  startsSequence: boolean;
  /**
   * A RASL picture of a CRA that started decoding: it refers to pictures before the CRA,
   * which this decoder never saw. Decoders drop it (8.1.3); a recording starting at that
   * CRA should too.
   */
  undecodable: boolean;
}

/**
 * PicOrderCntVal for each picture in decode order (H.265 8.3.1):
 *   IRAP with NoRaslOutputFlag = 1: PicOrderCntMsb = 0
 *   otherwise, from the previous TemporalId-0 picture that is not RASL, RADL or a sub-layer
 *   non-reference picture (prevTid0Pic), with MaxPicOrderCntLsb = 2^log2:
 *     lsb < prevLsb and prevLsb - lsb >= Max/2  -> Msb = prevMsb + Max
 *     lsb > prevLsb and lsb - prevLsb >  Max/2  -> Msb = prevMsb - Max
 *     else                                     -> Msb = prevMsb
 *   PicOrderCntVal = Msb + slice_pic_order_cnt_lsb
 * NoRaslOutputFlag is 1 for IDR, BLA, the first picture and the first picture after an
 * end-of-sequence NAL unit (call endOfSequence()); camrec treats a stream as starting at
 * its first IRAP (HandleCraAsBlaFlag is never set).
 */
export class PicOrderCounter {
  private prevTid0Lsb = 0;
  private prevTid0Msb = 0;
  private atSequenceStart = true;
  /** NoRaslOutputFlag of the last IRAP: its RASL pictures are undecodable. */
  private raslUndecodable = false;

  /** The next picture in decode order. `pocLsb` is slice_pic_order_cnt_lsb (0 for IDR). */
  next(nalType: number, temporalId: number, pocLsb: number, log2MaxPocLsb: number): PictureOrder {
    const irap = isIrap(nalType);
    const noRaslOutput = irap && (isIdr(nalType) || isBla(nalType) || this.atSequenceStart);
    const max = 2 ** log2MaxPocLsb;
    let msb: number;
    if (noRaslOutput) {
      msb = 0;
    } else if (pocLsb < this.prevTid0Lsb && this.prevTid0Lsb - pocLsb >= max / 2) {
      msb = this.prevTid0Msb + max;
    } else if (pocLsb > this.prevTid0Lsb && pocLsb - this.prevTid0Lsb > max / 2) {
      msb = this.prevTid0Msb - max;
    } else {
      msb = this.prevTid0Msb;
    }
    if (irap) this.raslUndecodable = noRaslOutput;
    this.atSequenceStart = false;
    if (temporalId === 0 && !isRasl(nalType) && !isRadl(nalType) && !isSubLayerNonReference(nalType)) {
      this.prevTid0Lsb = pocLsb;
      this.prevTid0Msb = msb;
    }
    return { poc: msb + pocLsb, startsSequence: noRaslOutput, undecodable: isRasl(nalType) && this.raslUndecodable };
  }

  /** An end-of-sequence NAL unit (or a new recording): the next picture starts a coded video sequence. */
  endOfSequence(): void {
    this.atSequenceStart = true;
  }
}
