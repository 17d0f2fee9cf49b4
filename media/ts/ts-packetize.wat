;; TS packetizing for media/ts/ts-muxer.ts (WebAssembly SIMD; `npm run wasm` compiles it into
;; ts-packetize-wasm.ts). The muxer stages a PES's payload right-aligned in its packets; this writes
;; the full packets in between (a 4-byte header, then 184 payload bytes moved down) in one call,
;; where JavaScript made one copyWithin call per packet.

(module
  (memory (export "memory") 1)

  ;; $n full packets at $dst from the staged payload at $src: each a header (sync byte 0x47,
  ;; $head1 = TEI/PUSI/priority/PID high, $head2 = PID low, then $control, the scrambling and
  ;; adaptation_field_control bits, with the next continuity counter) and 184 bytes. Returns the
  ;; last continuity counter.
  ;; Requires $dst + 4 <= $src: every 16-byte load comes before the stores that overlap it (a
  ;; store at $dst + 4 + k ends at or before $src + k + 16), so the move is a forward memmove.
  (func (export "packetize") (param $src i32) (param $dst i32) (param $n i32) (param $head1 i32) (param $head2 i32) (param $control i32) (param $cc i32) (result i32)
    (local $head i32)
    ;; bytes 0-2 of every header, little-endian
    (local.set $head (i32.or (i32.const 0x47) (i32.or (i32.shl (local.get $head1) (i32.const 8)) (i32.shl (local.get $head2) (i32.const 16)))))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $cc (i32.and (i32.add (local.get $cc) (i32.const 1)) (i32.const 15)))
        (i32.store (local.get $dst) (i32.or (local.get $head) (i32.shl (i32.or (local.get $control) (local.get $cc)) (i32.const 24))))
        (v128.store offset=4 (local.get $dst) (v128.load offset=0 (local.get $src)))
        (v128.store offset=20 (local.get $dst) (v128.load offset=16 (local.get $src)))
        (v128.store offset=36 (local.get $dst) (v128.load offset=32 (local.get $src)))
        (v128.store offset=52 (local.get $dst) (v128.load offset=48 (local.get $src)))
        (v128.store offset=68 (local.get $dst) (v128.load offset=64 (local.get $src)))
        (v128.store offset=84 (local.get $dst) (v128.load offset=80 (local.get $src)))
        (v128.store offset=100 (local.get $dst) (v128.load offset=96 (local.get $src)))
        (v128.store offset=116 (local.get $dst) (v128.load offset=112 (local.get $src)))
        (v128.store offset=132 (local.get $dst) (v128.load offset=128 (local.get $src)))
        (v128.store offset=148 (local.get $dst) (v128.load offset=144 (local.get $src)))
        (v128.store offset=164 (local.get $dst) (v128.load offset=160 (local.get $src)))
        (i64.store offset=180 (local.get $dst) (i64.load offset=176 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 184)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 188)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $cc))
)
