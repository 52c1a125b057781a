/* cmd_run.c - the 'run' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_run(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'run' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
