;; Trainbench's merge kernels: two ascending runs of row ids (int32) merged into one, for the
;; range index's ascending answers (src/core/index/range-index.ts, through merger.ts).
;;
;; A branch-free merge step waits on its own loads (which run the next read comes from depends on
;; the last comparison), so these kernels keep several independent chains in one loop and the
;; core works on one while the others wait: each pair of runs is merged from both ends at once
;; (the front takes the smaller head, the back the larger tail), and `merge4` merges two pairs
;; at once (the caller cuts one merge at its middle output). `select` keeps every step free of
;; branches: rows of tied values interleave at random, so a branch would be mispredicted half
;; the time.
;;
;; All addresses are byte addresses into the imported memory; runs hold distinct ids. A round
;; runs as many steps as no chain can pass the end of its run or meet the chain coming the other
;; way in; when that is under 32 (a run nearly used up), the rest is merged from the front alone.
(module
  (import "env" "memory" (memory 1))

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y))))

  ;; Steps a round of one pair may take: the fewest ids left to either chain in either run, and
  ;; at most half of the outputs left (so the chains never cross).
  (func $steps
    (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (param $o i32)
    (param $i i32) (param $j i32) (param $ie i32) (param $je i32) (param $oe i32)
    (result i32)
    (i32.shr_s
      (call $min
        (call $min
          (call $min (i32.sub (local.get $ae) (local.get $i)) (i32.sub (local.get $be) (local.get $j)))
          (call $min
            (i32.sub (i32.add (local.get $ie) (i32.const 4)) (local.get $a))
            (i32.sub (i32.add (local.get $je) (i32.const 4)) (local.get $b))))
        (i32.shr_s (i32.sub (i32.add (local.get $oe) (i32.const 4)) (local.get $o)) (i32.const 1)))
      (i32.const 2)))

  ;; The runs [i, ae) and [j, be) merged from the front into `o` on, then what is left of either
  ;; copied.
  (func $front (param $i i32) (param $ae i32) (param $j i32) (param $be i32) (param $o i32)
    (local $x i32) (local $y i32) (local $c i32)
    (block $done
      (br_if $done (i32.or (i32.ge_s (local.get $i) (local.get $ae)) (i32.ge_s (local.get $j) (local.get $be))))
      (loop $next
        (local.set $x (i32.load (local.get $i)))
        (local.set $y (i32.load (local.get $j)))
        (local.set $c (i32.le_s (local.get $x) (local.get $y)))
        (i32.store (local.get $o) (select (local.get $x) (local.get $y) (local.get $c)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.shl (i32.xor (local.get $c) (i32.const 1)) (i32.const 2))))
        (br_if $next (i32.and (i32.lt_s (local.get $i) (local.get $ae)) (i32.lt_s (local.get $j) (local.get $be))))))
    (memory.copy (local.get $o) (local.get $i) (i32.sub (local.get $ae) (local.get $i)))
    (local.set $o (i32.add (local.get $o) (i32.sub (local.get $ae) (local.get $i))))
    (memory.copy (local.get $o) (local.get $j) (i32.sub (local.get $be) (local.get $j))))

  ;; The runs [a, ae) and [b, be) merged into `o` on (two chains).
  (func (export "merge2")
    (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (param $o i32)
    (local $i i32) (local $j i32) (local $ie i32) (local $je i32) (local $oe i32) (local $x i32) (local $y i32) (local $c i32) (local $p i32) (local $q i32) (local $d i32)
    (local $m i32)
    (local.set $i (local.get $a))
    (local.set $j (local.get $b))
    (local.set $ie (i32.sub (local.get $ae) (i32.const 4)))
    (local.set $je (i32.sub (local.get $be) (i32.const 4)))
    (local.set $oe (i32.sub (i32.add (local.get $o) (i32.add (i32.sub (local.get $ae) (local.get $a)) (i32.sub (local.get $be) (local.get $b)))) (i32.const 4)))
    (block $out
      (loop $round
        (local.set $m (call $steps (local.get $a) (local.get $ae) (local.get $b) (local.get $be) (local.get $o) (local.get $i) (local.get $j) (local.get $ie) (local.get $je) (local.get $oe)))
        (br_if $out (i32.lt_s (local.get $m) (i32.const 32)))
        (loop $step
          ;; the front takes the smaller head, the back the larger tail
          (local.set $x (i32.load (local.get $i)))
          (local.set $y (i32.load (local.get $j)))
          (local.set $p (i32.load (local.get $ie)))
          (local.set $q (i32.load (local.get $je)))
          (local.set $c (i32.le_s (local.get $x) (local.get $y)))
          (local.set $d (i32.gt_s (local.get $p) (local.get $q)))
          (i32.store (local.get $o) (select (local.get $x) (local.get $y) (local.get $c)))
          (i32.store (local.get $oe) (select (local.get $p) (local.get $q) (local.get $d)))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (local.set $oe (i32.sub (local.get $oe) (i32.const 4)))
          (local.set $i (i32.add (local.get $i) (i32.shl (local.get $c) (i32.const 2))))
          (local.set $j (i32.add (local.get $j) (i32.shl (i32.xor (local.get $c) (i32.const 1)) (i32.const 2))))
          (local.set $ie (i32.sub (local.get $ie) (i32.shl (local.get $d) (i32.const 2))))
          (local.set $je (i32.sub (local.get $je) (i32.shl (i32.xor (local.get $d) (i32.const 1)) (i32.const 2))))
          (local.set $m (i32.sub (local.get $m) (i32.const 1)))
          (br_if $step (local.get $m)))
        (br $round)))
    (call $front (local.get $i) (i32.add (local.get $ie) (i32.const 4)) (local.get $j) (i32.add (local.get $je) (i32.const 4)) (local.get $o)))

  ;; Two independent merges at once (four chains): [a1, ae1) with [b1, be1) into o1 on, and
  ;; [a2, ae2) with [b2, be2) into o2 on.
  (func (export "merge4")
    (param $a1 i32) (param $ae1 i32) (param $b1 i32) (param $be1 i32) (param $o1 i32)
    (param $a2 i32) (param $ae2 i32) (param $b2 i32) (param $be2 i32) (param $o2 i32)
    (local $i1 i32) (local $j1 i32) (local $ie1 i32) (local $je1 i32) (local $oe1 i32) (local $x1 i32) (local $y1 i32) (local $c1 i32) (local $p1 i32) (local $q1 i32) (local $d1 i32)
    (local $i2 i32) (local $j2 i32) (local $ie2 i32) (local $je2 i32) (local $oe2 i32) (local $x2 i32) (local $y2 i32) (local $c2 i32) (local $p2 i32) (local $q2 i32) (local $d2 i32)
    (local $m i32)
    (local.set $i1 (local.get $a1))
    (local.set $j1 (local.get $b1))
    (local.set $ie1 (i32.sub (local.get $ae1) (i32.const 4)))
    (local.set $je1 (i32.sub (local.get $be1) (i32.const 4)))
    (local.set $oe1 (i32.sub (i32.add (local.get $o1) (i32.add (i32.sub (local.get $ae1) (local.get $a1)) (i32.sub (local.get $be1) (local.get $b1)))) (i32.const 4)))
    (local.set $i2 (local.get $a2))
    (local.set $j2 (local.get $b2))
    (local.set $ie2 (i32.sub (local.get $ae2) (i32.const 4)))
    (local.set $je2 (i32.sub (local.get $be2) (i32.const 4)))
    (local.set $oe2 (i32.sub (i32.add (local.get $o2) (i32.add (i32.sub (local.get $ae2) (local.get $a2)) (i32.sub (local.get $be2) (local.get $b2)))) (i32.const 4)))
    (block $out
      (loop $round
        (local.set $m (call $min (call $steps (local.get $a1) (local.get $ae1) (local.get $b1) (local.get $be1) (local.get $o1) (local.get $i1) (local.get $j1) (local.get $ie1) (local.get $je1) (local.get $oe1)) (call $steps (local.get $a2) (local.get $ae2) (local.get $b2) (local.get $be2) (local.get $o2) (local.get $i2) (local.get $j2) (local.get $ie2) (local.get $je2) (local.get $oe2))))
        (br_if $out (i32.lt_s (local.get $m) (i32.const 32)))
        (loop $step
          ;; pair 1: the front takes the smaller head, the back the larger tail
          (local.set $x1 (i32.load (local.get $i1)))
          (local.set $y1 (i32.load (local.get $j1)))
          (local.set $p1 (i32.load (local.get $ie1)))
          (local.set $q1 (i32.load (local.get $je1)))
          (local.set $c1 (i32.le_s (local.get $x1) (local.get $y1)))
          (local.set $d1 (i32.gt_s (local.get $p1) (local.get $q1)))
          (i32.store (local.get $o1) (select (local.get $x1) (local.get $y1) (local.get $c1)))
          (i32.store (local.get $oe1) (select (local.get $p1) (local.get $q1) (local.get $d1)))
          (local.set $o1 (i32.add (local.get $o1) (i32.const 4)))
          (local.set $oe1 (i32.sub (local.get $oe1) (i32.const 4)))
          (local.set $i1 (i32.add (local.get $i1) (i32.shl (local.get $c1) (i32.const 2))))
          (local.set $j1 (i32.add (local.get $j1) (i32.shl (i32.xor (local.get $c1) (i32.const 1)) (i32.const 2))))
          (local.set $ie1 (i32.sub (local.get $ie1) (i32.shl (local.get $d1) (i32.const 2))))
          (local.set $je1 (i32.sub (local.get $je1) (i32.shl (i32.xor (local.get $d1) (i32.const 1)) (i32.const 2))))
          ;; pair 2: the front takes the smaller head, the back the larger tail
          (local.set $x2 (i32.load (local.get $i2)))
          (local.set $y2 (i32.load (local.get $j2)))
          (local.set $p2 (i32.load (local.get $ie2)))
          (local.set $q2 (i32.load (local.get $je2)))
          (local.set $c2 (i32.le_s (local.get $x2) (local.get $y2)))
          (local.set $d2 (i32.gt_s (local.get $p2) (local.get $q2)))
          (i32.store (local.get $o2) (select (local.get $x2) (local.get $y2) (local.get $c2)))
          (i32.store (local.get $oe2) (select (local.get $p2) (local.get $q2) (local.get $d2)))
          (local.set $o2 (i32.add (local.get $o2) (i32.const 4)))
          (local.set $oe2 (i32.sub (local.get $oe2) (i32.const 4)))
          (local.set $i2 (i32.add (local.get $i2) (i32.shl (local.get $c2) (i32.const 2))))
          (local.set $j2 (i32.add (local.get $j2) (i32.shl (i32.xor (local.get $c2) (i32.const 1)) (i32.const 2))))
          (local.set $ie2 (i32.sub (local.get $ie2) (i32.shl (local.get $d2) (i32.const 2))))
          (local.set $je2 (i32.sub (local.get $je2) (i32.shl (i32.xor (local.get $d2) (i32.const 1)) (i32.const 2))))
          (local.set $m (i32.sub (local.get $m) (i32.const 1)))
          (br_if $step (local.get $m)))
        (br $round)))
    (call $front (local.get $i1) (i32.add (local.get $ie1) (i32.const 4)) (local.get $j1) (i32.add (local.get $je1) (i32.const 4)) (local.get $o1))
    (call $front (local.get $i2) (i32.add (local.get $ie2) (i32.const 4)) (local.get $j2) (i32.add (local.get $je2) (i32.const 4)) (local.get $o2)))
)
