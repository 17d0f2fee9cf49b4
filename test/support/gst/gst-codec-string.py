#!/usr/bin/python3
"""Prints the RFC 6381 codec string GStreamer derives (gst_codec_utils_caps_get_mime_codec)
for the video of a file: a raw H.265 / H.264 elementary stream through h265parse /
h264parse (hvc1 / avc1 stream format), or an MP4 through qtdemux (its hvcC / avcC).
Usage: gst-codec-string.py FILE hevc|h264|mp4"""
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstPbutils', '1.0')
from gi.repository import Gst, GstPbutils  # noqa: E402

Gst.init(None)
path, kind = sys.argv[1], sys.argv[2]
if kind == 'hevc':
    desc = f'filesrc location="{path}" ! h265parse ! video/x-h265,stream-format=hvc1,alignment=au ! fakesink name=sink'
elif kind == 'h264':
    desc = f'filesrc location="{path}" ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! fakesink name=sink'
else:
    desc = f'filesrc location="{path}" ! qtdemux name=d d.video_0 ! fakesink name=sink'
pipeline = Gst.parse_launch(desc)
pipeline.set_state(Gst.State.PAUSED)
ok, _, _ = pipeline.get_state(30 * Gst.SECOND)
caps = pipeline.get_by_name('sink').get_static_pad('sink').get_current_caps()
pipeline.set_state(Gst.State.NULL)
if caps is None:
    sys.exit(f'no caps: {ok}')
print(GstPbutils.codec_utils_caps_get_mime_codec(caps))
