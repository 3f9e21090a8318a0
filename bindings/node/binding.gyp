# The native addon: C only, linked against the development library (.build/release) with an rpath to it.
# Override the library's directory with: node-gyp rebuild -- -Dvideogen_libdir=/path/to/lib
{
  "variables": {
    "videogen_libdir%": "<!(cd ../.. && pwd)/.build/release",
    "videogen_includedir%": "<!(cd ../.. && pwd)/include"
  },
  "targets": [
    {
      "target_name": "videogen",
      "sources": ["src/addon.c", "src/client.c", "src/output.c", "src/task.c", "src/update.c", "src/util.c", "src/webhook.c"],
      "include_dirs": ["<(videogen_includedir)"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
      "libraries": ["-L<(videogen_libdir)", "-lvideogen", "-Wl,-rpath,<(videogen_libdir)"]
    }
  ]
}
