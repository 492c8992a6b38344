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
        (br $next)))))
