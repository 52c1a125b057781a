/* cmd_disasm.c - the 'disasm' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_disasm(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'disasm' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
