/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the switch's options from configuration files. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Longest line of a configuration file, newline included. */
#define LINE_MAX_LEN 1024

struct args {
	int n;
	int cap;
	char **v;
};

static int push(struct args *a, const char *s, size_t len)
{
	char **v;

	if (a->n + 1 >= a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		v = realloc(a->v, (size_t)a->cap * sizeof(*v));
		if (v == NULL) {
			fprintf(stderr, "--config: out of memory\n");
			return -1;
		}
		a->v = v;
	}
	a->v[a->n] = strndup(s, len);
	if (a->v[a->n] == NULL) {
		fprintf(stderr, "--config: out of memory\n");
		return -1;
	}
	a->v[++a->n] = NULL;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int read_file(const char *path, struct args *a)
{
	char line[LINE_MAX_LEN], opt[LINE_MAX_LEN + 2];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (f == NULL) {
		fprintf(stderr, "--config %s: cannot read it: %s\n", path, strerror(errno));
		return -1;
	}
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *key, *value;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s:%u: line longer than %d characters\n", path, lineno,
				LINE_MAX_LEN - 1);
			ret = -1;
			break;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		value = key + strcspn(key, " \t");
		if (*value != '\0')
			*value++ = '\0';
		value = trim(value);
		if (strncmp(key, "--", 2) == 0)
			key += 2;
		if (strcmp(key, "config") == 0) {
			fprintf(stderr, "%s:%u: a configuration file cannot name another\n", path,
				lineno);
			ret = -1;
			break;
		}
		snprintf(opt, sizeof(opt), "--%s", key);
		ret = push(a, opt, strlen(opt));
		if (ret == 0 && *value != '\0')
			ret = push(a, value, strlen(value));
	}
	if (ret == 0 && ferror(f)) {
		fprintf(stderr, "--config %s: read error\n", path);
		ret = -1;
	}
	fclose(f);
	return ret;
}

int vns_config_expand(int argc, char **argv, int *nargc, char ***nargv)
{
	struct args a = {0};
	int i;

	for (i = 0; i < argc; i++) {
		const char *path = NULL;

		if (i > 0 && strcmp(argv[i], "--config") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "--config needs a FILE\n");
				goto fail;
			}
			path = argv[++i];
		} else if (i > 0 && strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		}
		if (path != NULL ? read_file(path, &a) < 0 : push(&a, argv[i], strlen(argv[i])) < 0)
			goto fail;
	}
	*nargc = a.n;
	*nargv = a.v;
	return 0;
fail:
	vns_config_free(a.n, a.v);
	return -1;
}

void vns_config_free(int argc, char **argv)
{
	int i;

	if (argv == NULL)
		return;
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}
