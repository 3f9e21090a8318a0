/* Native helpers of videogen's download writer (Sources/VideoGen/Download/HashingWriter.swift): O_DIRECT and
 * malloc_trim are not visible to Swift through Glibc (and O_DIRECT's value differs between architectures).
 * Nothing here is exported from libvideogen.so (exports.map). */
#ifndef VIDEOGEN_DIRECTIO_H
#define VIDEOGEN_DIRECTIO_H

#ifdef __cplusplus
extern "C" {
#endif

/** Turns direct I/O (O_DIRECT: writes bypass the page cache) on or off for an open descriptor.
 *  @return 0 on success; -1 (errno set) where the file system or the platform does not support it. */
int videogen_set_direct_io(int fd, int on);

/** Gives the C allocator's free memory back to the system (glibc: malloc_trim(0), which also returns free pages
 *  inside its arenas); does nothing elsewhere. */
void videogen_release_free_memory(void);

#ifdef __cplusplus
}
#endif

#endif
