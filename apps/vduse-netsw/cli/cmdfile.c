/* SPDX-License-Identifier: BSD-3-Clause */
/* --cmdline-file: a file of commands, run in order until one fails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int vns_cli_run_file(const char *path, struct vns_switch *sw, FILE *out)
{
	FILE *f = fopen(path, "r");
	struct vns_reply *r;
	unsigned int lineno = 0;
	char *line = NULL;
	size_t size = 0;
	int ret = 0;

	if (f == NULL) {
		fprintf(out, "%s: cannot open it: %s\n", path, strerror(errno));
		return -1;
	}
	while (ret == 0 && getline(&line, &size, f) >= 0) {
		lineno++;
		if (vns_cli_is_blank(line))
			continue;
		r = vns_reply_new(VNS_REPLY_TEXT);
		if (r == NULL) {
			fprintf(out, "%s:%u: out of memory\n", path, lineno);
			ret = -1;
			break;
		}
		pthread_mutex_lock(&sw->lock);
		ret = vns_cli_exec(line, r);
		pthread_mutex_unlock(&sw->lock);
		if (ret < 0)
			fprintf(out, "%s:%u: %s", path, lineno, line);
		if (ret < 0 && line[strlen(line) - 1] != '\n')
			fputc('\n', out);
		vns_reply_write(r, out, false);
		vns_reply_free(r);
	}
	if (ret == 0 && ferror(f)) {
		fprintf(out, "%s:%u: cannot read on: %s\n", path, lineno, strerror(errno));
		ret = -1;
	}
	if (ret == 0)
		fprintf(out, "Read CLI commands from %s\n", path);
	free(line);
	fclose(f);
	fflush(out);
	return ret;
}
