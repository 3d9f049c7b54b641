;; Trainbench's row-hash kernel: the two-lane MurmurHash3 x86_128 round of row-hash.ts, four
;; rows at a time (i32x4), over one tile of rows held in the imported memory:
;;   lanes h1 at $lo, h2 at $hi (i32 per row); a column's values of the tile at $vals; its
;;   validity bytes at $valid (0 = none: every row present).
;; `n` rows are mixed, rounded up to a multiple of four (the caller's buffers have the room;
;; rows past n hold garbage it ignores). Every function gives bit for bit what the scalar
;; loops of row-hash.ts give: the tests compare them on every column type.
(module
  (import "env" "memory" (memory 1))

  (func $rotl (param $x v128) (param $r i32) (result v128)
    (v128.or (i32x4.shl (local.get $x) (local.get $r)) (i32x4.shr_u (local.get $x) (i32.sub (i32.const 32) (local.get $r)))))

  ;; MurmurHash3's scramble: rotl(k * C1, 15) * C2.
  (func $scramble (param $k v128) (result v128)
    (i32x4.mul
      (call $rotl (i32x4.mul (local.get $k) (v128.const i32x4 0x239b961b 0x239b961b 0x239b961b 0x239b961b)) (i32.const 15))
      (v128.const i32x4 0xab0e9789 0xab0e9789 0xab0e9789 0xab0e9789)))

  ;; Lanes of rows i..i+3 that are missing: validity byte 0 (when $valid is set).
  (func $missing (param $valid i32) (param $i i32) (result v128)
    (if (result v128) (local.get $valid)
      (then
        (i32x4.eq
          (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $valid) (local.get $i)))))
          (v128.const i32x4 0 0 0 0)))
      (else (v128.const i32x4 0 0 0 0))))

  ;; One round for rows i..i+3: words k1 (to h1) and k2 (to h2), or the missing step where
  ;; $miss is set; lanes updated in place.
  (func $round (param $lo i32) (param $hi i32) (param $i i32) (param $k1 v128) (param $k2 v128) (param $miss v128)
    (local $h1 v128) (local $h2 v128) (local $a1 v128) (local $a2 v128) (local $m1 v128) (local $m2 v128) (local $at i32)
    (local.set $at (i32.shl (local.get $i) (i32.const 2)))
    (local.set $h1 (v128.load (i32.add (local.get $lo) (local.get $at))))
    (local.set $h2 (v128.load (i32.add (local.get $hi) (local.get $at))))
    ;; present: h1 ^= k1; h1 = rotl(h1, 19) + h2; h1 = h1 * 5 + N1; h2 ^= k2; h2 = rotl(h2, 17) + h1; h2 = h2 * 5 + N2
    (local.set $a1 (i32x4.add (call $rotl (v128.xor (local.get $h1) (local.get $k1)) (i32.const 19)) (local.get $h2)))
    (local.set $a1 (i32x4.add (i32x4.mul (local.get $a1) (v128.const i32x4 5 5 5 5)) (v128.const i32x4 0x561ccd1b 0x561ccd1b 0x561ccd1b 0x561ccd1b)))
    (local.set $a2 (i32x4.add (call $rotl (v128.xor (local.get $h2) (local.get $k2)) (i32.const 17)) (local.get $a1)))
    (local.set $a2 (i32x4.add (i32x4.mul (local.get $a2) (v128.const i32x4 5 5 5 5)) (v128.const i32x4 0x0bcaa747 0x0bcaa747 0x0bcaa747 0x0bcaa747)))
    ;; missing: h1 = (h1 ^ M) * C3 + h2; h2 = (h2 ^ M) * C1 + h1
    (local.set $m1 (i32x4.add
      (i32x4.mul (v128.xor (local.get $h1) (v128.const i32x4 0x5bd1e995 0x5bd1e995 0x5bd1e995 0x5bd1e995)) (v128.const i32x4 0x38b34ae5 0x38b34ae5 0x38b34ae5 0x38b34ae5))
      (local.get $h2)))
    (local.set $m2 (i32x4.add
      (i32x4.mul (v128.xor (local.get $h2) (v128.const i32x4 0x5bd1e995 0x5bd1e995 0x5bd1e995 0x5bd1e995)) (v128.const i32x4 0x239b961b 0x239b961b 0x239b961b 0x239b961b))
      (local.get $m1)))
    (v128.store (i32.add (local.get $lo) (local.get $at)) (v128.bitselect (local.get $m1) (local.get $a1) (local.get $miss)))
    (v128.store (i32.add (local.get $hi) (local.get $at)) (v128.bitselect (local.get $m2) (local.get $a2) (local.get $miss))))

  ;; One 32-bit word per row (int32 values, or categorical codes where $negMissing says a code
  ;; below 0 is missing): k1 = scramble(v), k2 = rotl(k1, 7).
  (func (export "mixI32") (param $lo i32) (param $hi i32) (param $vals i32) (param $valid i32) (param $negMissing i32) (param $n i32)
    (local $i i32) (local $v v128) (local $k v128) (local $miss v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $vals) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $miss (call $missing (local.get $valid) (local.get $i)))
        (if (local.get $negMissing)
          (then (local.set $miss (v128.or (local.get $miss) (i32x4.lt_s (local.get $v) (v128.const i32x4 0 0 0 0))))))
        (local.set $k (call $scramble (local.get $v)))
        (call $round (local.get $lo) (local.get $hi) (local.get $i) (local.get $k) (call $rotl (local.get $k) (i32.const 7)) (local.get $miss))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows))))

  ;; Bytes (booleans, uint8): each widened to a 32-bit word, then as mixI32.
  (func (export "mixU8") (param $lo i32) (param $hi i32) (param $vals i32) (param $valid i32) (param $n i32)
    (local $i i32) (local $k v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (call $scramble
          (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $vals) (local.get $i)))))))
        (call $round (local.get $lo) (local.get $hi) (local.get $i) (local.get $k) (call $rotl (local.get $k) (i32.const 7))
          (call $missing (local.get $valid) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows))))

  ;; float32: the value's bits, with -0 as 0 and every NaN as 0x7fc00000.
  (func (export "mixF32") (param $lo i32) (param $hi i32) (param $vals i32) (param $valid i32) (param $n i32)
    (local $i i32) (local $v v128) (local $k v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $vals) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $v (v128.andnot (local.get $v) (f32x4.eq (local.get $v) (v128.const f32x4 0 0 0 0))))
        (local.set $v (v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get $v) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $k (call $scramble (local.get $v)))
        (call $round (local.get $lo) (local.get $hi) (local.get $i) (local.get $k) (call $rotl (local.get $k) (i32.const 7))
          (call $missing (local.get $valid) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows))))

  ;; float64: low word a, high word b (-0 as 0, every NaN as a = 0, b = 0x7ff80000);
  ;; k1 = scramble(a), k2 = rotl(b * C2, 16) * C3.
  (func $canon64 (param $v v128) (result v128)
    (local.set $v (v128.andnot (local.get $v) (f64x2.eq (local.get $v) (v128.const f64x2 0 0))))
    (v128.bitselect (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000) (local.get $v) (f64x2.ne (local.get $v) (local.get $v))))
  (func (export "mixF64") (param $lo i32) (param $hi i32) (param $vals i32) (param $valid i32) (param $n i32)
    (local $i i32) (local $p i32) (local $v01 v128) (local $v23 v128) (local $a v128) (local $b v128) (local $k2 v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $vals) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $v01 (call $canon64 (v128.load (local.get $p))))
        (local.set $v23 (call $canon64 (v128.load offset=16 (local.get $p))))
        (local.set $a (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v01) (local.get $v23)))
        (local.set $b (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v01) (local.get $v23)))
        (local.set $k2 (i32x4.mul
          (call $rotl (i32x4.mul (local.get $b) (v128.const i32x4 0xab0e9789 0xab0e9789 0xab0e9789 0xab0e9789)) (i32.const 16))
          (v128.const i32x4 0x38b34ae5 0x38b34ae5 0x38b34ae5 0x38b34ae5)))
        (call $round (local.get $lo) (local.get $hi) (local.get $i) (call $scramble (local.get $a)) (local.get $k2)
          (call $missing (local.get $valid) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows))))

  (func $fmix (param $h v128) (result v128)
    (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
    (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
    (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))

  ;; The finish: lanes xor the column count, cross-added, fmix32 each, cross-added again.
  (func (export "finish") (param $lo i32) (param $hi i32) (param $columns i32) (param $n i32)
    (local $i i32) (local $at i32) (local $c v128) (local $h1 v128) (local $h2 v128)
    (local.set $c (i32x4.splat (local.get $columns)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $h1 (v128.xor (v128.load (i32.add (local.get $lo) (local.get $at))) (local.get $c)))
        (local.set $h2 (v128.xor (v128.load (i32.add (local.get $hi) (local.get $at))) (local.get $c)))
        (local.set $h1 (i32x4.add (local.get $h1) (local.get $h2)))
        (local.set $h2 (i32x4.add (local.get $h2) (local.get $h1)))
        (local.set $h1 (call $fmix (local.get $h1)))
        (local.set $h2 (call $fmix (local.get $h2)))
        (local.set $h1 (i32x4.add (local.get $h1) (local.get $h2)))
        (v128.store (i32.add (local.get $lo) (local.get $at)) (local.get $h1))
        (v128.store (i32.add (local.get $hi) (local.get $at)) (i32x4.add (local.get $h2) (local.get $h1)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))))
