# slurry's native kernels. Each instruction set's unit is its own static library so it can
# be compiled with its own -m flags (never -march=native: the addon must run on any x86-64
# and pick the path at run time with __builtin_cpu_supports).
{
  "variables": {
    "slurry_common_cflags": ["-O3", "-fPIC", "-fno-math-errno", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"],
  },
  "targets": [
    {
      "target_name": "slurry_native",
      "sources": [
        "native/addon.cc",
        "native/pool.cc",
        "native/gemm_driver.cc",
        "native/isa_portable.cc",
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags": ["<@(slurry_common_cflags)"],
      "cflags_cc": ["<@(slurry_common_cflags)"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["slurry_avx512", "slurry_avx512_bf16", "slurry_avx2"]}],
      ],
    },
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "slurry_avx512",
          "type": "static_library",
          "sources": ["native/isa_avx512.cc"],
          "cflags_cc": ["<@(slurry_common_cflags)", "-mavx512f", "-mavx512vl", "-mavx512bw", "-mfma",
                        "-Wno-uninitialized", "-Wno-maybe-uninitialized"],
        },
        {
          "target_name": "slurry_avx512_bf16",
          "type": "static_library",
          "sources": ["native/isa_avx512_bf16.cc"],
          "cflags_cc": ["<@(slurry_common_cflags)", "-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512bf16", "-mfma",
                        "-Wno-uninitialized", "-Wno-maybe-uninitialized"],
        },
        {
          "target_name": "slurry_avx2",
          "type": "static_library",
          "sources": ["native/isa_avx2.cc"],
          "cflags_cc": ["<@(slurry_common_cflags)", "-mavx2", "-mfma"],
        },
      ],
    }],
  ],
}
