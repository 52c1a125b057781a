/* export.h - the export layer: a resolved profile written for another
 * consumer (Docker, an OCI runtime, the Security Profiles Operator, crun,
 * bubblewrap, C, systemd, an OCI registry), read from the rule set (IR)
 * and the compiled program. Public API: include/secprof.h, "exports". */
#ifndef SP_EXPORT_H
#define SP_EXPORT_H

#include "core/util.h"

/* Base64 of n bytes as Go's base64.StdEncoding writes it (padding, no line
 * breaks): the encoding crun decodes its run.oci.seccomp_bpf_data
 * annotation from. */
void sp_base64(struct sp_buf *b, const unsigned char *p, size_t n);

#endif
