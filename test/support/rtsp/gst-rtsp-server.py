#!/usr/bin/python3
"""Debian's gst-rtsp-server (GstRtspServer through python3-gi), configured for camrec's tests.

This is a launcher, not an RTSP server: RTSP, RTP/RTCP over TCP interleaved and UDP, SDP and
the payloaders are all GStreamer's own (gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-*).
It only names the mounts and their launch pipelines, the way an ordinary deployment does.

  /usr/bin/python3 gst-rtsp-server.py --port 0 --mount /cam=PIPELINE [--mount ...]

Each PIPELINE is a gst-launch description whose payloaders are named pay0, pay1, ...
Prints "ready PORT" on stdout once it listens; runs until SIGTERM/SIGINT.
"""
import argparse
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--port', type=int, default=0, help='TCP port for RTSP (0: any free port)')
    parser.add_argument('--address', default='127.0.0.1')
    parser.add_argument('--mount', action='append', default=[], help='/path=gst-launch pipeline with pay0..payN')
    args = parser.parse_args()
    if not args.mount:
        parser.error('give at least one --mount /path=PIPELINE')

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for spec in args.mount:
        path, sep, launch = spec.partition('=')
        if not sep or not path.startswith('/'):
            parser.error(f'--mount {spec!r}: expected /path=PIPELINE')
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f'( {launch} )')
        # One pipeline per mount, shared by every client (as a camera has one encoder). But
        # with non-live sources a client's PLAY seeks the shared media back to its start, so
        # the clients already on it see their times step back: give each client its own mount.
        factory.set_shared(True)
        # Default protocols: RTP over UDP, UDP multicast and TCP interleaved, as cameras offer.
        mounts.add_factory(path, factory)

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        print(f'could not listen on {args.address}:{args.port}', file=sys.stderr, flush=True)
        sys.exit(1)
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f'ready {server.get_bound_port()}', flush=True)
    loop.run()


if __name__ == '__main__':
    main()
