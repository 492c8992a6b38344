;; Dot products of one int16 query with many int8 rows, 16 lanes at a time (WebAssembly SIMD): the inner loop of the
;; vector search (`int8-kernel.ts`), ~8× faster than the same loop in JavaScript. Rows are `stride` bytes (the dimension
;; rounded up to 16, padded with zeros); the query is `stride` int16 lanes. Built into dist/int8-dot.wasm by esbuild.mjs.
(module
  (memory (export "memory") 1)

  ;; The dot product of the query at $q with the row at $row.
  (func $dot (param $q i32) (param $row i32) (param $stride i32) (result i32)
    (local $i i32) (local $acc v128) (local $codes v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $stride)))
        (local.set $codes (v128.load (i32.add (local.get $row) (local.get $i))))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s
              (i16x8.extend_low_i8x16_s (local.get $codes))
              (v128.load (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 1)))))))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s
              (i16x8.extend_high_i8x16_s (local.get $codes))
              (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))

  ;; Rows $first .. $first + $count - 1 of the rows at $rows: their dot products, as int32, at $out.
  (func (export "dotsRange") (param $q i32) (param $rows i32) (param $stride i32) (param $first i32) (param $count i32) (param $out i32)
    (local $k i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (i32.store
          (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (call $dot (local.get $q)
            (i32.add (local.get $rows) (i32.mul (i32.add (local.get $first) (local.get $k)) (local.get $stride)))
            (local.get $stride)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; The rows numbered by the $count int32s at $ids: their dot products, as int32, at $out.
  (func (export "dotsList") (param $q i32) (param $rows i32) (param $stride i32) (param $ids i32) (param $count i32) (param $out i32)
    (local $k i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (i32.store
          (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (call $dot (local.get $q)
            (i32.add (local.get $rows)
              (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride)))
            (local.get $stride)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))
  ;; Sign codes (`sign-rows.ts`): a row is $bw bytes of bits, one per dimension (set where the value is positive).
  ;; The Hamming distance of the query's bits to each row $k < $count, as a u16 at $dist + 2k, counted in a u32 histogram
  ;; by distance; a row whose $mask byte is 0 gets 0xffff and is counted in the histogram's last bucket ($buckets - 1).
  ;; Four histograms of $buckets each, row k counting in number k % 4: rows of equal distance in a row then do not wait
  ;; on each other's increment. Branch-free, as filters leave rows in no predictable pattern. Byte lanes add at most 8 a
  ;; step, so $bw ≤ 496 (3,968 dimensions) cannot overflow them.
  (func (export "signDistances") (param $q i32) (param $rows i32) (param $bw i32) (param $count i32) (param $mask i32)
      (param $dist i32) (param $hist i32) (param $buckets i32)
    (local $k i32) (local $i i32) (local $row i32) (local $acc v128) (local $d i32) (local $in i32) (local $h i32)
    (local.set $row (local.get $rows))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $acc (i8x16.popcnt (v128.xor (v128.load (local.get $row)) (v128.load (local.get $q)))))
        (local.set $i (i32.const 16))
        (block $bits
          (loop $more
            (br_if $bits (i32.ge_u (local.get $i) (local.get $bw)))
            (local.set $acc (i8x16.add (local.get $acc)
              (i8x16.popcnt (v128.xor
                (v128.load (i32.add (local.get $row) (local.get $i)))
                (v128.load (i32.add (local.get $q) (local.get $i)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $more)))
        (local.set $acc (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
        (local.set $d (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
          (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $in (i32.load8_u (i32.add (local.get $mask) (local.get $k))))
        (i32.store16 (i32.add (local.get $dist) (i32.shl (local.get $k) (i32.const 1)))
          (select (local.get $d) (i32.const 0xffff) (local.get $in)))
        (local.set $h (i32.add (local.get $hist) (i32.shl
          (i32.add
            (i32.mul (i32.and (local.get $k) (i32.const 3)) (local.get $buckets))
            (select (local.get $d) (i32.sub (local.get $buckets) (i32.const 1)) (local.get $in)))
          (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $row (i32.add (local.get $row) (local.get $bw)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; `signDistances` for 16-byte rows (up to 128 dimensions), four rows a step: their byte counts are summed together
  ;; (pairwise widening, then two shuffle-and-add rounds) instead of lane by lane per row. $count is a multiple of 4
  ;; (the caller does the rest with `signDistances`).
  (func (export "signDistances16") (param $q i32) (param $rows i32) (param $count i32) (param $mask i32)
      (param $dist i32) (param $hist i32) (param $buckets i32)
    (local $k i32) (local $row i32) (local $qv v128) (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local $ds v128) (local $d i32) (local $in i32) (local $h i32) (local $last i32)
    (local $hist0 i32) (local $hist1 i32) (local $hist2 i32) (local $hist3 i32)
    (local.set $qv (v128.load (local.get $q)))
    (local.set $row (local.get $rows))
    (local.set $hist0 (local.get $hist))
    (local.set $hist1 (i32.add (local.get $hist0) (i32.shl (local.get $buckets) (i32.const 2))))
    (local.set $hist2 (i32.add (local.get $hist1) (i32.shl (local.get $buckets) (i32.const 2))))
    (local.set $hist3 (i32.add (local.get $hist2) (i32.shl (local.get $buckets) (i32.const 2))))
    (local.set $last (i32.sub (local.get $buckets) (i32.const 1)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $a (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
          (i8x16.popcnt (v128.xor (v128.load (local.get $row)) (local.get $qv))))))
        (local.set $b (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
          (i8x16.popcnt (v128.xor (v128.load offset=16 (local.get $row)) (local.get $qv))))))
        (local.set $c (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
          (i8x16.popcnt (v128.xor (v128.load offset=32 (local.get $row)) (local.get $qv))))))
        (local.set $e (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
          (i8x16.popcnt (v128.xor (v128.load offset=48 (local.get $row)) (local.get $qv))))))
        ;; [a0+a2, a1+a3, b0+b2, b1+b3] and the same for c, e; then [a, b, c, e].
        (local.set $a (i32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b))))
        (local.set $c (i32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c) (local.get $e))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c) (local.get $e))))
        (local.set $ds (i32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $c))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $c))))
        (local.set $d (i32x4.extract_lane 0 (local.get $ds)))
        (local.set $in (i32.load8_u offset=0 (i32.add (local.get $mask) (local.get $k))))
        (i32.store16 offset=0 (i32.add (local.get $dist) (i32.shl (local.get $k) (i32.const 1)))
          (select (local.get $d) (i32.const 0xffff) (local.get $in)))
        (local.set $h (i32.add (local.get $hist0) (i32.shl (select (local.get $d) (local.get $last) (local.get $in)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $d (i32x4.extract_lane 1 (local.get $ds)))
        (local.set $in (i32.load8_u offset=1 (i32.add (local.get $mask) (local.get $k))))
        (i32.store16 offset=2 (i32.add (local.get $dist) (i32.shl (local.get $k) (i32.const 1)))
          (select (local.get $d) (i32.const 0xffff) (local.get $in)))
        (local.set $h (i32.add (local.get $hist1) (i32.shl (select (local.get $d) (local.get $last) (local.get $in)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $d (i32x4.extract_lane 2 (local.get $ds)))
        (local.set $in (i32.load8_u offset=2 (i32.add (local.get $mask) (local.get $k))))
        (i32.store16 offset=4 (i32.add (local.get $dist) (i32.shl (local.get $k) (i32.const 1)))
          (select (local.get $d) (i32.const 0xffff) (local.get $in)))
        (local.set $h (i32.add (local.get $hist2) (i32.shl (select (local.get $d) (local.get $last) (local.get $in)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $d (i32x4.extract_lane 3 (local.get $ds)))
        (local.set $in (i32.load8_u offset=3 (i32.add (local.get $mask) (local.get $k))))
        (i32.store16 offset=6 (i32.add (local.get $dist) (i32.shl (local.get $k) (i32.const 1)))
          (select (local.get $d) (i32.const 0xffff) (local.get $in)))
        (local.set $h (i32.add (local.get $hist3) (i32.shl (select (local.get $d) (local.get $last) (local.get $in)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $row (i32.add (local.get $row) (i32.const 64)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next))))

  ;; $out[i] = $a[i] & $b[i] for $count bytes, 16 at a time ($count rounded up to 16: the regions are padded).
  (func (export "andBytes") (param $a i32) (param $b i32) (param $out i32) (param $count i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (v128.and (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; From row $from on, the rows whose distance at $dist is at most $t, as i32 row numbers at $out, until $max are written
  ;; or $count rows are seen. Stores how many it wrote at $written; returns the row to continue from.
  (func (export "signCollect") (param $dist i32) (param $from i32) (param $count i32) (param $t i32) (param $out i32)
      (param $max i32) (param $written i32) (result i32)
    (local $k i32) (local $n i32)
    (local.set $k (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (br_if $done (i32.ge_u (local.get $n) (local.get $max)))
        (if (i32.le_u (i32.load16_u (i32.add (local.get $dist) (i32.shl (local.get $k) (i32.const 1)))) (local.get $t))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $k))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (i32.store (local.get $written) (local.get $n))
    (local.get $k))
)
