{
  "targets": [
    {
      "target_name": "hnsw_builder",
      "sources": [ "builder.cc" ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "."],
      "defines": [ "NAPI_DISABLE_CPP_EXCEPTIONS" ],
      "cflags!": [ "-fno-exceptions" ],
      "cflags_cc!": [ "-fno-exceptions" ],
      "cflags_cc": [ "-O3", "-pthread" ],
      "ldflags": [ "-pthread" ]
    }
  ]
}
