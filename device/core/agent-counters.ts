/** Counters the agent reports in its status answer. All only ever grow. */
export interface AgentCounters {
  /** Segments finished by the segmenter and kept for upload. */
  segmentsRecorded: number;
  /** Plain TS bytes of those segments. */
  bytesRecorded: number;
  /** Segments S3 confirmed (200, or 412 after an earlier attempt). */
  segmentsUploaded: number;
  /** Bytes S3 confirmed (all objects: segments, keys, events). */
  bytesUploaded: number;
  /** Objects of any kind confirmed. */
  objectsUploaded: number;
  /** Segments written to the disk spool. */
  segmentsSpooled: number;
  /**
   * Segments thrown away, each logged with why: spool at its cap (the oldest go), no room
   * anywhere (the spool failed and memory is full), or committing so far behind (a stalling
   * disk) that the pipeline was full (status `pipeline`).
   */
  segmentsDropped: number;
  /** PUT attempts that failed (each retry counts). */
  uploadFailures: number;
  /** Spool entries proven corrupt (bad header, checksum mismatch; deleted). */
  spoolCorrupt: number;
  /** Spool reads that failed with an I/O error (EIO, EMFILE, ...); the entry is kept and read again. */
  spoolReadErrors: number;
  /** Spool writes the disk refused (ENOSPC, EROFS, a dead card); the object is kept in memory. */
  spoolWriteErrors: number;
  /** Corrupt or truncated video/audio input (resynced). */
  inputErrors: number;
  /** Source failures: open errors, stalls, ends (the source is reopened). */
  sourceErrors: number;
  /** A 412 on a first attempt: the key already existed. */
  conflicts: number;
  /** Pictures encrypted and queued for upload (library, control endpoint, ffmpeg keyframes). */
  imagesRecorded: number;
  /** Pictures S3 confirmed. */
  imagesUploaded: number;
  /** Pictures dropped because the spool had no room (a picture never evicts footage, nor waits in memory); each logged. */
  imagesDropped: number;
}

export const newCounters = (): AgentCounters => ({
  segmentsRecorded: 0,
  bytesRecorded: 0,
  segmentsUploaded: 0,
  bytesUploaded: 0,
  objectsUploaded: 0,
  segmentsSpooled: 0,
  segmentsDropped: 0,
  uploadFailures: 0,
  spoolCorrupt: 0,
  spoolReadErrors: 0,
  spoolWriteErrors: 0,
  inputErrors: 0,
  sourceErrors: 0,
  conflicts: 0,
  imagesRecorded: 0,
  imagesUploaded: 0,
  imagesDropped: 0,
});
