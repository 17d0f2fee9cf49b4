#!/usr/bin/python3
"""A second judge for camrec's playlists: Debian's GStreamer plays an HLS URL as fast as it
can decode (playbin -> hlsdemux/hlsdemux2 with AES-128 -> tsdemux -> h264parse -> avdec_h264)
and counts the decoded video frames. Prints one JSON line {"frames": N, "audioBuffers": M,
"error": null | "..."}; exits 0 when the pipeline reached end of stream.

  /usr/bin/python3 count-frames.py URL [timeout-seconds]
"""
import json
import sys

import gi

gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402


def main():
    url = sys.argv[1]
    timeout_s = float(sys.argv[2]) if len(sys.argv) > 2 else 120
    Gst.init(None)
    counts = {'video': 0, 'audio': 0}
    playbin = Gst.ElementFactory.make('playbin', None)
    playbin.set_property('uri', url)
    for kind in ('video', 'audio'):
        sink = Gst.ElementFactory.make('fakesink', None)
        sink.set_property('sync', False)
        sink.set_property('signal-handoffs', True)
        sink.connect('handoff', lambda _s, _b, _p, k=kind: counts.__setitem__(k, counts[k] + 1))
        playbin.set_property(f'{kind}-sink', sink)
    loop = GLib.MainLoop()
    result = {'error': None}

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            result['error'] = f'{err.message} ({debug})'
            loop.quit()

    bus = playbin.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)

    def on_timeout():
        result['error'] = f'no end of stream within {timeout_s} s'
        loop.quit()
        return False

    GLib.timeout_add(int(timeout_s * 1000), on_timeout)
    playbin.set_state(Gst.State.PLAYING)
    loop.run()
    playbin.set_state(Gst.State.NULL)
    print(json.dumps({'frames': counts['video'], 'audioBuffers': counts['audio'], 'error': result['error']}), flush=True)
    sys.exit(0 if result['error'] is None else 1)


if __name__ == '__main__':
    main()
