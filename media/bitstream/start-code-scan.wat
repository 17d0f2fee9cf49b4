;; Annex-B start-code scan in WebAssembly SIMD: the source of start-code-scan-wasm.ts
;; (`npm run wasm` compiles it with wabt and writes that file; a test fails when it is stale).
;;
;; scan(from, to, out) -> n: every offset p in [from, to) where memory holds 00 00 01 at
;; p, p+1, p+2 (memory must be loaded up to to + 2), in order, written as i32 at out,
;; out + 4, ...; returns how many. 16 offsets per step: three overlapping 16-byte loads
;; (at p, p + 1, p + 2) compared with 0, 0 and 1, ANDed and turned into a 16-bit mask,
;; one store per set bit. Branch-free per step: video data is ~8 % zero bytes and ~2 %
;; ones, so a test-and-skip on either mispredicts more than it saves (measured slower).
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $from i32) (param $to i32) (param $out i32) (result i32)
    (local $p i32) (local $n i32) (local $mask i32)
    (local.set $p (local.get $from))
    ;; 16 offsets at a time while p + 16 <= to (the loads reach p + 17 <= to + 1).
    (block $done
      (loop $step
        (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $to)))
        (local.set $mask
          (i8x16.bitmask
            (v128.and
              (v128.and
                (i8x16.eq (v128.load (local.get $p)) (v128.const i32x4 0 0 0 0))
                (i8x16.eq (v128.load offset=1 (local.get $p)) (v128.const i32x4 0 0 0 0)))
              (i8x16.eq (v128.load offset=2 (local.get $p)) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))))
        ;; Bit k set: a start code at p + k.
        (block $bits
          (loop $each
            (br_if $bits (i32.eqz (local.get $mask)))
            (i32.store
              (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2)))
              (i32.add (local.get $p) (i32.ctz (local.get $mask))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $each)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $step)))
    ;; The last < 16 offsets one by one.
    (block $end
      (loop $tail
        (br_if $end (i32.ge_u (local.get $p) (local.get $to)))
        (if (i32.and
              (i32.eqz (i32.or (i32.load8_u (local.get $p)) (i32.load8_u offset=1 (local.get $p))))
              (i32.eq (i32.load8_u offset=2 (local.get $p)) (i32.const 1)))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tail)))
    (local.get $n)))
