/* cmd_info.c - the 'info' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_info(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'info' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
