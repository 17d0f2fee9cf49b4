#!/usr/bin/python3
"""Decodes a URI (an HLS playlist, an MP4) with GStreamer's uridecodebin and prints JSON:
decoded video frames and their first/last PTS, audio buffers, the video caps, and every
ERROR / WARNING message from the bus. Exit status 0 when it reached end of stream."""
import json
import sys

import gi

gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402

Gst.init(None)
uri = sys.argv[1]
timeout_s = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
pipeline = Gst.Pipeline.new('decode')
src = Gst.ElementFactory.make('uridecodebin', 'src')
src.set_property('uri', uri)
pipeline.add(src)
result = {'videoFrames': 0, 'audioBuffers': 0, 'firstVideoPts': None, 'lastVideoPts': None, 'videoCaps': None, 'errors': [], 'warnings': [], 'eos': False}


def on_buffer(pad, info, kind):
    buf = info.get_buffer()
    if kind == 'video':
        result['videoFrames'] += 1
        if buf.pts != Gst.CLOCK_TIME_NONE:
            pts = buf.pts / Gst.SECOND
            if result['firstVideoPts'] is None or pts < result['firstVideoPts']:
                result['firstVideoPts'] = pts
            if result['lastVideoPts'] is None or pts > result['lastVideoPts']:
                result['lastVideoPts'] = pts
    else:
        result['audioBuffers'] += 1
    return Gst.PadProbeReturn.OK


def on_pad(_src, pad):
    caps = pad.get_current_caps() or pad.query_caps(None)
    name = caps.get_structure(0).get_name()
    kind = 'video' if name.startswith('video/') else 'audio'
    if kind == 'video':
        result['videoCaps'] = caps.to_string()
    sink = Gst.ElementFactory.make('fakesink', None)
    sink.set_property('sync', False)
    pipeline.add(sink)
    sink.sync_state_with_parent()
    pad.link(sink.get_static_pad('sink'))
    pad.add_probe(Gst.PadProbeType.BUFFER, on_buffer, kind)


src.connect('pad-added', on_pad)
loop = GLib.MainLoop()
bus = pipeline.get_bus()
bus.add_signal_watch()


def on_message(_bus, msg):
    if msg.type == Gst.MessageType.EOS:
        result['eos'] = True
        loop.quit()
    elif msg.type == Gst.MessageType.ERROR:
        err, dbg = msg.parse_error()
        result['errors'].append(f'{err.message} ({dbg})')
        loop.quit()
    elif msg.type == Gst.MessageType.WARNING:
        err, dbg = msg.parse_warning()
        result['warnings'].append(f'{err.message} ({dbg})')


bus.connect('message', on_message)
GLib.timeout_add(int(timeout_s * 1000), loop.quit)
pipeline.set_state(Gst.State.PLAYING)
loop.run()
pipeline.set_state(Gst.State.NULL)
print(json.dumps(result))
sys.exit(0 if result['eos'] and not result['errors'] else 1)
