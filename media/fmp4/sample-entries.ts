import { box, fullBox, PayloadWriter } from './box-writer.ts';
import { DescriptorTag, OBJECT_TYPE_AAC, SL_CONFIG_MP4, STREAM_TYPE_AUDIO_BYTE } from './iso-bmff-constants.ts';

const DATA_REFERENCE_INDEX = 1;
/** 72 dpi in 16.16 fixed point. */
const RESOLUTION_72_DPI = 0x00480000;
const DEPTH_COLOUR_NO_ALPHA = 0x0018;
const COMPRESSOR_NAME_BYTES = 32;
const MAX_16_BIT = 0xffff;

/**
 * VisualSampleEntry (14496-12 12.1.3), 78 payload bytes before its child boxes:
 *   reserved(8)[6]=0 data_reference_index(16)=1
 *   pre_defined(16)=0 reserved(16)=0 pre_defined(32)[3]=0
 *   width(16) height(16) horizresolution(32)=72 dpi vertresolution(32)=72 dpi reserved(32)=0
 *   frame_count(16)=1 compressorname: length(8) + name, 32 bytes in all
 *   depth(16)=0x0018 pre_defined(16)=-1
 * then the decoder configuration box (avcC / hvcC) and, for non-square pixels, pasp.
 */
export function visualSampleEntry(
  type: string,
  width: number,
  height: number,
  configBoxType: string,
  decoderConfig: Uint8Array,
  sar?: { width: number; height: number },
): Uint8Array {
  const name = new TextEncoder().encode(type === 'hvc1' ? 'HEVC Coding' : 'AVC Coding');
  const w = new PayloadWriter(78)
    .zeros(6)
    .u16(DATA_REFERENCE_INDEX)
    .zeros(16)
    .u16(Math.min(width, MAX_16_BIT))
    .u16(Math.min(height, MAX_16_BIT))
    .u32(RESOLUTION_72_DPI)
    .u32(RESOLUTION_72_DPI)
    .u32(0)
    .u16(1)
    .u8(name.byteLength)
    .bytes(name)
    .zeros(COMPRESSOR_NAME_BYTES - 1 - name.byteLength)
    .u16(DEPTH_COLOUR_NO_ALPHA)
    .u16(0xffff);
  const children = [box(configBoxType, decoderConfig)];
  if (sar && sar.width > 0 && sar.height > 0 && sar.width !== sar.height) children.push(pixelAspectRatioBox(sar.width, sar.height));
  return box(type, w.done(), ...children);
}

/** pasp (12.1.4.2): hSpacing(32) vSpacing(32), the sample aspect ratio. */
export function pixelAspectRatioBox(hSpacing: number, vSpacing: number): Uint8Array {
  return box('pasp', new PayloadWriter(8).u32(hSpacing).u32(vSpacing).done());
}

/**
 * AudioSampleEntry 'mp4a' (14496-12 12.2.3, 14496-14 5.6), 28 payload bytes before esds:
 *   reserved(8)[6]=0 data_reference_index(16)=1 reserved(32)[2]=0
 *   channelcount(16) samplesize(16)=16 pre_defined(16)=0 reserved(16)=0
 *   samplerate(32) = rate in 16.16 fixed point (0 when over 65535 Hz; esds has the rate)
 */
export function aacSampleEntry(channels: number, sampleRateHz: number, audioSpecificConfig: Uint8Array): Uint8Array {
  const w = new PayloadWriter(28)
    .zeros(6)
    .u16(DATA_REFERENCE_INDEX)
    .zeros(8)
    .u16(channels)
    .u16(16)
    .u16(0)
    .u16(0)
    .u16(sampleRateHz <= MAX_16_BIT ? sampleRateHz : 0)
    .u16(0);
  return box('mp4a', w.done(), esdsBox(audioSpecificConfig));
}

/**
 * esds (14496-14 5.6.1): an ES_Descriptor (14496-1 7.2.6.5), each descriptor as tag(8)
 * size(8) (every size here is under 128):
 *   ES_Descriptor 0x03: ES_ID(16)=0 flags(8)=0
 *     DecoderConfigDescriptor 0x04: objectTypeIndication(8)=0x40 (AAC)
 *       streamType(6)=5 upStream(1)=0 reserved(1)=1, bufferSizeDB(24)=0 maxBitrate(32)=0 avgBitrate(32)=0
 *       DecoderSpecificInfo 0x05: AudioSpecificConfig
 *     SLConfigDescriptor 0x06: predefined(8)=2 (MP4)
 */
export function esdsBox(audioSpecificConfig: Uint8Array): Uint8Array {
  const dsi = descriptor(DescriptorTag.DECODER_SPECIFIC_INFO, audioSpecificConfig);
  const dcd = descriptor(DescriptorTag.DECODER_CONFIG, new PayloadWriter(13).u8(OBJECT_TYPE_AAC).u8(STREAM_TYPE_AUDIO_BYTE).u24(0).u32(0).u32(0).done(), dsi);
  const sl = descriptor(DescriptorTag.SL_CONFIG, Uint8Array.of(SL_CONFIG_MP4));
  return fullBox('esds', 0, 0, descriptor(DescriptorTag.ES, new PayloadWriter(3).u16(0).u8(0).done(), dcd, sl));
}

/** A descriptor: tag(8) sizeOfInstance(8) then its bytes (sizes under 128 need one size byte). */
function descriptor(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const size = parts.reduce((n, p) => n + p.byteLength, 0);
  if (size > 0x7f) throw new Error(`descriptor 0x${tag.toString(16)} of ${size} bytes needs a multi-byte size (a bug in its writer)`);
  const out = new Uint8Array(2 + size);
  out[0] = tag;
  out[1] = size;
  let at = 2;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
