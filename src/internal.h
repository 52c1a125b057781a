/* internal.h - what the stages of libsecprof share. Not installed.
 *
 * Pipeline (one header per stage, each owned by that stage's .c file):
 *   json.c     bytes            -> struct sp_json tree (line/column per value)
 *   parse.c    struct sp_json   -> struct secprof_profile   (profile.h)
 *   resolve.c  profile + opts   -> struct secprof_resolved   (resolve.h)
 *   ruleset.c  resolved         -> struct sp_ruleset (the IR every tool reads)
 *   compile.c  ruleset          -> secprof_prog (BPF)
 *   emulate.c / load.c / run.c  programs and processes
 */
#ifndef SP_INTERNAL_H
#define SP_INTERNAL_H

#include "secprof.h"
#include "util.h"
#include "arch.h"
#include "json.h"
#include "profile.h"
#include "resolve.h"
#include "ruleset.h"

#endif
