/* mr_corridor.c: the corridor definition file (see mr_corridor.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/mr_text.h"
#include "core/mr_vec.h"
#include "meridian/mr_corridor.h"

static const char *const pred_kinds[MR_PRED_COUNT] = {"tag", "passage", "mode", "country", "border"};

static int word_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

void mr_corridors_free(mr_corridor_set *s)
{
	size_t i, k;
	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		mr_corridor *c = &s->v[i];
		mr_free(c->id);
		mr_free(c->name);
		mr_free(c->text);
		for (k = 0; k < c->npred; k++)
			mr_free((char *)c->preds[k].value);
	}
	mr_free(s->v);
	memset(s, 0, sizeof(*s));
}

const mr_corridor *mr_corridors_find(const mr_corridor_set *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	return NULL;
}

/* The index of predicate "kind:value" in c, added if new; -1 with err filled on a bad one. */
static int pred_index(mr_corridor *c, const char *text, const char *path, long line, const char *field,
                      mr_error *err)
{
	char buf[160], *colon, *value;
	size_t k;
	int kind;
	snprintf(buf, sizeof(buf), "%s", text);
	colon = strchr(buf, ':');
	if (!colon) {
		mr_error_set(err, MR_EPARSE, path, line, 0, field, "'%s' is not kind:value (kinds: tag, passage, mode, country, border)",
		             text);
		return -1;
	}
	*colon = '\0';
	value = mr__trim(colon + 1);
	for (kind = 0; kind < MR_PRED_COUNT; kind++)
		if (strcmp(mr__trim(buf), pred_kinds[kind]) == 0)
			break;
	if (kind == MR_PRED_COUNT) {
		mr_error_set(err, MR_EPARSE, path, line, 0, field, "unknown kind '%s' (tag, passage, mode, country, border)",
		             mr__trim(buf));
		return -1;
	}
	if (!*value) {
		mr_error_set(err, MR_EPARSE, path, line, 0, field, "empty value after '%s:'", pred_kinds[kind]);
		return -1;
	}
	if (kind == MR_PRED_MODE && mr_mode_parse(value) < 0) {
		mr_error_set(err, MR_EPARSE, path, line, 0, field, "unknown mode '%s'", value);
		return -1;
	}
	for (k = 0; k < c->npred; k++)
		if (c->preds[k].kind == kind && strcmp(c->preds[k].value, value) == 0)
			return (int)k;
	if (c->npred == MR_PATTERN_MAX_PRED) {
		mr_error_set(err, MR_ELIMIT, path, line, 0, field, "more than %d distinct predicates in one corridor",
		             MR_PATTERN_MAX_PRED);
		return -1;
	}
	c->preds[c->npred].kind = kind;
	if (!(c->preds[c->npred].value = mr_strdup(value))) {
		mr_error_set(err, MR_ENOMEM, path, line, 0, field, NULL);
		return -1;
	}
	return (int)c->npred++;
}

static int append_text(mr_corridor *c, const char *key, const char *value)
{
	size_t old = c->text ? strlen(c->text) : 0, add = strlen(key) + strlen(value) + 5;
	char *t = mr_realloc(c->text, old + add);
	if (!t)
		return MR_ENOMEM;
	if (!old)
		t[0] = '\0';
	snprintf(t + old, add, "%s%s %s", old ? "; " : "", key, value);
	c->text = t;
	return MR_OK;
}

int mr_corridors_read(const char *path, mr_corridor_set *out, mr_error *err)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long ln = 0;
	MR_VEC(mr_corridor) v = {0};
	mr_corridor *cur = NULL;
	int rc = MR_OK;

	memset(out, 0, sizeof(*out));
	if (!f)
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open the corridor file");
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *value;
		ln++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = mr_error_set(err, MR_EPARSE, path, ln, 0, NULL, "line longer than %zu bytes", sizeof(line) - 2);
			break;
		}
		s = mr__trim(line);
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			mr_corridor c;
			size_t i;
			if (!end || end[1]) {
				rc = mr_error_set(err, MR_EPARSE, path, ln, 0, NULL, "expected [id]");
				break;
			}
			*end = '\0';
			s = mr__trim(s + 1);
			if (!word_ok(s)) {
				rc = mr_error_set(err, MR_EPARSE, path, ln, 0, "id", "'%s' is not an id (a-z, 0-9, '-')", s);
				break;
			}
			for (i = 0; i < v.n; i++)
				if (strcmp(v.v[i].id, s) == 0)
					break;
			if (i < v.n) {
				rc = mr_error_set(err, MR_EPARSE, path, ln, 0, "id", "duplicate corridor '%s' (first at line %ld)", s,
				                  v.v[i].line);
				break;
			}
			memset(&c, 0, sizeof(c));
			mr_pattern_init(&c.pattern);
			c.line = ln;
			if (!(c.id = mr_strdup(s)) || mr_vec_push(&v, c)) {
				mr_free(c.id);
				rc = mr_error_set(err, MR_ENOMEM, path, ln, 0, NULL, NULL);
				break;
			}
			cur = &v.v[v.n - 1];
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			rc = mr_error_set(err, MR_EPARSE, path, ln, 0, NULL, "expected key = value or [id]");
			break;
		}
		*eq = '\0';
		key = mr__trim(s);
		value = mr__trim(eq + 1);
		if (!cur) {
			rc = mr_error_set(err, MR_EPARSE, path, ln, 0, key, "a key before the first [corridor]");
			break;
		}
		if (strcmp(key, "name") == 0) {
			mr_free(cur->name);
			if (!(cur->name = mr_strdup(value))) {
				rc = mr_error_set(err, MR_ENOMEM, path, ln, 0, key, NULL);
				break;
			}
		} else if (strcmp(key, "require") == 0 || strcmp(key, "forbid") == 0 || strcmp(key, "only") == 0) {
			int k = pred_index(cur, value, path, ln, key, err);
			if (k < 0) {
				rc = err ? err->code : MR_EPARSE;
				break;
			}
			rc = key[0] == 'r' ? mr_pattern_require(&cur->pattern, (unsigned)k)
			     : key[0] == 'f' ? mr_pattern_forbid(&cur->pattern, (unsigned)k)
			                     : mr_pattern_only(&cur->pattern, (unsigned)k);
			if (!rc)
				rc = append_text(cur, key, value);
			if (rc) {
				mr_error_set(err, rc, path, ln, 0, key, "%s", mr_strerror(rc));
				break;
			}
		} else if (strcmp(key, "sequence") == 0) {
			unsigned seq[MR_PATTERN_MAX_SEQ];
			size_t n = 0;
			char buf[1024], *p = buf, *comma;
			snprintf(buf, sizeof(buf), "%s", value);
			do {
				int k;
				comma = strchr(p, ',');
				if (comma)
					*comma = '\0';
				if (n == MR_PATTERN_MAX_SEQ) {
					rc = mr_error_set(err, MR_ELIMIT, path, ln, 0, key, "longer than %d steps", MR_PATTERN_MAX_SEQ);
					break;
				}
				if ((k = pred_index(cur, mr__trim(p), path, ln, key, err)) < 0) {
					rc = err ? err->code : MR_EPARSE;
					break;
				}
				seq[n++] = (unsigned)k;
				p = comma + 1;
			} while (comma);
			if (rc)
				break;
			if ((rc = mr_pattern_sequence(&cur->pattern, seq, n)) || (rc = append_text(cur, key, value))) {
				mr_error_set(err, rc, path, ln, 0, key, rc == MR_EINVAL ? "one sequence per corridor" : "%s",
				             mr_strerror(rc));
				break;
			}
		} else {
			rc = mr_error_set(err, MR_EPARSE, path, ln, 0, key, "unknown key (name, require, forbid, only, sequence)");
			break;
		}
	}
	fclose(f);
	if (!rc && v.n == 0)
		rc = mr_error_set(err, MR_EPARSE, path, ln, 0, NULL, "no corridor defined");
	if (!rc) {
		size_t i;
		for (i = 0; i < v.n; i++)
			if (!v.v[i].name) {
				rc = mr_error_set(err, MR_EPARSE, path, v.v[i].line, 0, "name", "corridor '%s' has no name", v.v[i].id);
				break;
			}
	}
	out->v = v.v;
	out->n = v.n;
	if (rc)
		mr_corridors_free(out);
	return rc;
}
