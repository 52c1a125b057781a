/* cmd_probe.c - the 'probe' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_probe(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'probe' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
