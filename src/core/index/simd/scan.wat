;; Trainbench's k-NN distance kernels: WebAssembly SIMD (f32x4), four points per step.
;;
;; Points live in the imported memory as blocks of four rows, structure of arrays: block k
;; holds rows 4k..4k+3 as `dims` vectors of f32x4 (vector j = coordinate j of the four rows),
;; so one block is `stride` = 16 * dims bytes. `dims` is padded to an even number with zeros
;; (in the query too), so that the loop takes two dimensions per turn with two sums.
;;
;; Sums are float32: the caller passes bounds loosened by the rounding error and recomputes
;; the rows it gets back exactly, so these kernels only filter.
(module
  (import "env" "memory" (memory 1))
  ;; Leaves whose box passed the bound in the last `sweep`.
  (global $touched (export "touched") (mut i32) (i32.const 0))

  ;; Rows in [lo, hi) whose squared distance to the query (dims vectors at $q, each coordinate
  ;; splatted to four lanes) is <= every lane of $bnd: their row numbers are stored from $n on,
  ;; in increasing order. Returns the address after the last one stored.
  (func $rows
    (param $q i32) (param $base i32) (param $stride i32) (param $lo i32) (param $hi i32) (param $bnd v128) (param $n i32)
    (result i32)
    (local $row i32) (local $p i32) (local $j i32) (local $m i32)
    (local $a v128) (local $c v128) (local $t v128) (local $u v128)
    (local $vlo v128) (local $vhi v128) (local $rows v128)
    (local.set $row (i32.and (local.get $lo) (i32.const -4)))
    (local.set $p (i32.add (local.get $base) (i32.mul (i32.shr_u (local.get $row) (i32.const 2)) (local.get $stride))))
    (local.set $vlo (i32x4.splat (local.get $lo)))
    (local.set $vhi (i32x4.splat (local.get $hi)))
    (local.set $rows (i32x4.add (i32x4.splat (local.get $row)) (v128.const i32x4 0 1 2 3)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_s (local.get $row) (local.get $hi)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $c (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (loop $dims
          (local.set $t (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $j)))
            (v128.load (i32.add (local.get $q) (local.get $j)))))
          (local.set $u (f32x4.sub
            (v128.load offset=16 (i32.add (local.get $p) (local.get $j)))
            (v128.load offset=16 (i32.add (local.get $q) (local.get $j)))))
          (local.set $a (f32x4.add (local.get $a) (f32x4.mul (local.get $t) (local.get $t))))
          (local.set $c (f32x4.add (local.get $c) (f32x4.mul (local.get $u) (local.get $u))))
          (br_if $dims (i32.lt_u
            (local.tee $j (i32.add (local.get $j) (i32.const 32)))
            (local.get $stride))))
        ;; Lanes inside [lo, hi) whose sum passes the bound.
        (local.set $m (i32x4.bitmask (v128.and
          (f32x4.le (f32x4.add (local.get $a) (local.get $c)) (local.get $bnd))
          (v128.and
            (i32x4.ge_s (local.get $rows) (local.get $vlo))
            (i32x4.lt_s (local.get $rows) (local.get $vhi))))))
        (if (local.get $m)
          (then
            ;; Store all four rows; advance the output only past the lanes that passed.
            (i32.store (local.get $n) (local.get $row))
            (local.set $n (i32.add (local.get $n) (i32.shl (i32.and (local.get $m) (i32.const 1)) (i32.const 2))))
            (i32.store (local.get $n) (i32.add (local.get $row) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.and (i32.shl (local.get $m) (i32.const 1)) (i32.const 4))))
            (i32.store (local.get $n) (i32.add (local.get $row) (i32.const 2)))
            (local.set $n (i32.add (local.get $n) (i32.and (local.get $m) (i32.const 4))))
            (i32.store (local.get $n) (i32.add (local.get $row) (i32.const 3)))
            (local.set $n (i32.add (local.get $n) (i32.and (i32.shr_u (local.get $m) (i32.const 1)) (i32.const 4))))))
        (local.set $row (i32.add (local.get $row) (i32.const 4)))
        (local.set $rows (i32x4.add (local.get $rows) (v128.const i32x4 4 4 4 4)))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $blocks)))
    (local.get $n))

  ;; `$rows` for one range: the rows of [lo, hi) within $bound go to $out. Returns their count.
  (func (export "scan")
    (param $q i32) (param $base i32) (param $stride i32) (param $lo i32) (param $hi i32) (param $bound f32) (param $out i32)
    (result i32)
    (i32.shr_u
      (i32.sub
        (call $rows (local.get $q) (local.get $base) (local.get $stride) (local.get $lo) (local.get $hi)
          (f32x4.splat (local.get $bound)) (local.get $out))
        (local.get $out))
      (i32.const 2)))

  ;; Leaves [l0, l1) in storage order: leaf l covers rows [first[l], first[l + 1]) ($first: i32
  ;; per leaf, plus one), and its box is `dims4` lows then `dims4` highs, f32, at
  ;; $boxes + l * 8 * dims4 (`dims4`: dims padded to a multiple of four with zeros; the query
  ;; unsplatted at $qflat, padded alike). Leaves whose first row is in [skipLo, skipHi) are
  ;; skipped (already scanned). For every other leaf whose squared box distance is <= $bound,
  ;; its rows within $bound go to $out. Returns the number of rows stored; `touched` counts
  ;; the leaves whose box passed.
  (func (export "sweep")
    (param $q i32) (param $qflat i32) (param $base i32) (param $stride i32) (param $boxes i32) (param $dims4 i32)
    (param $first i32) (param $l0 i32) (param $l1 i32) (param $skipLo i32) (param $skipHi i32)
    (param $bound f32) (param $out i32)
    (result i32)
    (local $l i32) (local $lo i32) (local $hi i32) (local $b i32) (local $j i32) (local $half i32) (local $n i32)
    (local $touched i32) (local $bnd v128) (local $acc v128) (local $qv v128) (local $g v128)
    (local.set $bnd (f32x4.splat (local.get $bound)))
    (local.set $half (i32.shl (local.get $dims4) (i32.const 2)))
    (local.set $n (local.get $out))
    (local.set $l (local.get $l0))
    (local.set $b (i32.add (local.get $boxes) (i32.mul (local.get $l0) (i32.shl (local.get $half) (i32.const 1)))))
    (local.set $hi (i32.load (i32.add (local.get $first) (i32.shl (local.get $l0) (i32.const 2)))))
    (block $done
      (loop $leaves
        (br_if $done (i32.ge_u (local.get $l) (local.get $l1)))
        (local.set $lo (local.get $hi))
        (local.set $hi (i32.load offset=4 (i32.add (local.get $first) (i32.shl (local.get $l) (i32.const 2)))))
        (if (i32.or (i32.lt_s (local.get $lo) (local.get $skipLo)) (i32.ge_s (local.get $lo) (local.get $skipHi)))
          (then
            ;; Squared distance to the box: per dimension max(lo - q, q - hi, 0) squared.
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (loop $dims
              (local.set $qv (v128.load (i32.add (local.get $qflat) (local.get $j))))
              (local.set $g (f32x4.max
                (f32x4.max
                  (f32x4.sub (v128.load (i32.add (local.get $b) (local.get $j))) (local.get $qv))
                  (f32x4.sub (local.get $qv) (v128.load (i32.add (i32.add (local.get $b) (local.get $half)) (local.get $j)))))
                (v128.const i32x4 0 0 0 0)))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $g) (local.get $g))))
              (br_if $dims (i32.lt_u
                (local.tee $j (i32.add (local.get $j) (i32.const 16)))
                (local.get $half))))
            (if (f32.le
                  (f32.add
                    (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                    (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
                  (local.get $bound))
              (then
                (local.set $touched (i32.add (local.get $touched) (i32.const 1)))
                (local.set $n (call $rows (local.get $q) (local.get $base) (local.get $stride)
                  (local.get $lo) (local.get $hi) (local.get $bnd) (local.get $n)))))))
        (local.set $b (i32.add (local.get $b) (i32.shl (local.get $half) (i32.const 1))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $leaves)))
    (global.set $touched (local.get $touched))
    (i32.shr_u (i32.sub (local.get $n) (local.get $out)) (i32.const 2))))
