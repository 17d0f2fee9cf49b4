#!/bin/sh
# Regenerates samples/sample.h264 and samples/sample.aac (the clip the local demo loops).
# Needs ffmpeg with libx264 and the native AAC encoder (Debian's ffmpeg package has both).
# See samples/README.md for what the streams contain.
set -eu
cd "$(dirname "$0")/.."
command -v ffmpeg >/dev/null || { echo "make-sample.sh: ffmpeg not found (apt-get install ffmpeg)" >&2; exit 1; }
SECONDS_LONG=20
ffmpeg -v error -y \
  -f lavfi -t "$SECONDS_LONG" -i "testsrc2=size=640x360:rate=25" \
  -f lavfi -t "$SECONDS_LONG" -i "sine=frequency=440:beep_factor=4:sample_rate=48000" \
  -map 0:v -c:v libx264 -profile:v main -level 3.0 -pix_fmt yuv420p -preset medium \
    -bf 0 -g 50 -keyint_min 50 -sc_threshold 0 -b:v 400k -maxrate 500k -bufsize 1000k \
    -x264-params aud=1 -f h264 samples/sample.h264 \
  -map 1:a -c:a aac -profile:a aac_low -ar 48000 -ac 1 -b:a 64k -f adts samples/sample.aac
ls -l samples/sample.h264 samples/sample.aac
