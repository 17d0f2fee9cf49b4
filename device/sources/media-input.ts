/** What a source feeds (the Agent implements it). */
export interface MediaInput {
  pushVideo(chunk: Uint8Array, arrivalMs?: number): void;
  putVideoFrame(accessUnit: Uint8Array, timestampMs?: number): void;
  pushAudio(chunk: Uint8Array, arrivalMs?: number): void;
  putAudioFrame(frame: Uint8Array, timestampMs?: number): void;
  /** Cut the open segment (stall or close: the next segment is a discontinuity). */
  cutSegment(): void;
  noteSourceError(err: Error): void;
}

/** A running source. `stop` resolves once it has released its files / child process. */
export interface MediaSource {
  start(): void;
  stop(): Promise<void>;
}
