/*
 * The reason of a failed build, as CodeBuild's console gives it ("Error
 * while executing command: X. Reason: exit status 1"): the phase, the
 * first command that failed (its first line), how it ended, and the line
 * of its output most likely to say why.
 *
 * Which line: gitfleet, like terraform, prints an error as a box whose
 * first line is `│ Error: summary`, so the last line of the command's
 * output that starts with "Error:" (box drawing and colours aside) is the
 * best one; without one, the last line with any text (a compiler's or a
 * test runner's last word is usually the failure). Lines are cleaned the
 * way a terminal would show them: escape sequences and control characters
 * dropped, what a carriage return overwrote dropped, invalid UTF-8
 * replaced. The reason is stored, shown in the dashboard and sent to
 * notify_url as JSON, so it must be short, one line and valid UTF-8.
 *
 * Pure functions of text: tests/unit/test_pipeline_reason.c.
 */
#include "pipeline/pipeline.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#define ESC 0x1b

/* Cuts s (NUL-terminated, valid UTF-8) to at most max bytes on a character
 * boundary, marking the cut with "...": the result needs max + 4 bytes. */
static void cut(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(s + n, "...", 4);
}

/* Skips the escape sequence at s[i] (s[i] == ESC): CSI (colours, cursor
 * moves), OSC (titles, links; ended by BEL or ESC \) and two-byte ones. */
static size_t skip_escape(const char *s, size_t len, size_t i)
{
	i++;
	if (i >= len)
		return i;
	if (s[i] == '[') {
		for (i++; i < len; i++)
			if ((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e)
				return i + 1;
		return i;
	}
	if (s[i] == ']') {
		for (i++; i < len; i++) {
			if (s[i] == '\a')
				return i + 1;
			if (s[i] == ESC && i + 1 < len && s[i + 1] == '\\')
				return i + 2;
		}
		return i;
	}
	return i + 1;
}

size_t pipeline_text_clean(char *out, size_t max, const char *s, size_t len)
{
	/* A carriage return sends the cursor back: what follows the last one
	 * with text after it is what stays on the screen. */
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '\r') {
			s += i;
			len -= i;
			break;
		}
	size_t o = 0;
	bool cut_short = false;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == ESC) {
			i = skip_escape(s, len, i);
			continue;
		}
		size_t n = gf_utf8_seq_len((const unsigned char *)s + i, len - i);
		const char *piece = s + i;
		i += n ? n : 1;
		if (n == 0) {
			piece = "?";
			n = 1;
		} else if (c == '\t') {
			piece = " ";
		} else if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)piece[1] < 0xa0)) {
			continue; /* C0 controls, DEL, C1 controls */
		}
		if (o + n > max) {
			cut_short = true;
			break;
		}
		memcpy(out + o, piece, n);
		o += n;
	}
	if (cut_short) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

/* s without leading spaces and the box drawing of a diagnostic (╷ │ ╵). */
static const char *skip_frame(const char *s)
{
	for (;;) {
		if (*s == ' ')
			s++;
		else if (!strncmp(s, "\xe2\x94\x82", 3) || !strncmp(s, "\xe2\x95\xb7", 3) ||
		         !strncmp(s, "\xe2\x95\xb5", 3))
			s += 3;
		else
			return s;
	}
}

void pipeline_output_tail_reset(pipeline_output_tail *t)
{
	t->error[0] = t->last[0] = '\0';
}

void pipeline_output_tail_add(pipeline_output_tail *t, const char *line, size_t len)
{
	/* Room for the frame before the text, which is skipped below. */
	char clean[PIPELINE_REASON_LINE_MAX + 32];
	pipeline_text_clean(clean, sizeof(clean) - 4, line, len);
	const char *text = skip_frame(clean);
	if (!*text)
		return;
	char *dest = gf_str_has_prefix(text, "Error:") ? t->error : t->last;
	/* Enough of it for cut() to see that it is too long. */
	size_t n = strnlen(text, PIPELINE_REASON_LINE_MAX + 3);
	memcpy(dest, text, n);
	dest[n] = '\0';
	cut(dest, PIPELINE_REASON_LINE_MAX);
}

const char *pipeline_output_tail_best(const pipeline_output_tail *t)
{
	return t->error[0] ? t->error : t->last;
}

static const char *signal_name(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
	             {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
	             {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
	             {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
	             {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
	             {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"}};
	for (size_t i = 0; i < GF_ARRAY_LEN(names); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return NULL;
}

/* "SIGKILL", or "signal 40" for one without a name here. */
static void put_signal(gf_buf *b, int sig)
{
	const char *name = signal_name(sig);
	if (name)
		gf_buf_puts(b, name);
	else
		gf_buf_printf(b, "signal %d", sig);
}

/* The first line of a command, cleaned and cut; " ..." when more lines
 * follow. */
static void put_command(gf_buf *b, const char *command)
{
	while (*command == ' ' || *command == '\t' || *command == '\n')
		command++;
	size_t first = strcspn(command, "\n");
	char shown[PIPELINE_REASON_COMMAND_MAX + 4];
	size_t n = pipeline_text_clean(shown, PIPELINE_REASON_COMMAND_MAX, command, first);
	while (n > 0 && shown[n - 1] == ' ')
		shown[--n] = '\0';
	bool more = command[first] && command[first + strspn(command + first, " \t\n")];
	gf_buf_printf(b, "\"%s%s\"", shown, more && !gf_str_has_suffix(shown, "...") ? " ..." : "");
}

void pipeline_failure_reason(char *out, size_t n, const pipeline_failure *f)
{
	gf_buf b = GF_BUF_INIT;
	gf_buf_printf(&b, "phase %s failed: %scommand ", pipeline_phase_name(f->phase),
	              f->is_finally ? "finally " : "");
	gf_buf cmd = GF_BUF_INIT, step = GF_BUF_INIT;
	put_command(&cmd, f->command ? f->command : "");
	gf_buf_puts(&b, gf_buf_cstr(&cmd));
	/* The step, unless it is all the command says (a one-line command). */
	if (f->step && *f->step) {
		put_command(&step, f->step);
		if (strcmp(gf_buf_cstr(&step), gf_buf_cstr(&cmd)))
			gf_buf_printf(&b, " at %s", gf_buf_cstr(&step));
	}
	gf_buf_dispose(&cmd);
	gf_buf_dispose(&step);
	if (f->shell_ended) {
		gf_buf_puts(&b, " ended the build shell");
		if (f->shell_signal) {
			gf_buf_puts(&b, " (killed by ");
			put_signal(&b, f->shell_signal);
			gf_buf_putc(&b, ')');
		} else {
			gf_buf_printf(&b, " (status %d)", f->status);
		}
		gf_buf_puts(&b, ", so the commands after it could not run");
	} else if (f->status > 128 && f->status <= 128 + 64) {
		/* The shell's $? for a command that a signal ended. */
		gf_buf_puts(&b, " was killed by ");
		put_signal(&b, f->status - 128);
		gf_buf_printf(&b, " (status %d)", f->status);
	} else {
		gf_buf_printf(&b, " exited with status %d", f->status);
	}
	if (f->note && *f->note)
		gf_buf_printf(&b, " %s", f->note);
	if (f->output && *f->output)
		gf_buf_printf(&b, ": %s", f->output);
	if (n > 4) {
		snprintf(out, n, "%s", gf_buf_cstr(&b));
		if (b.len >= n)
			cut(out, n - 4);
	} else if (n) {
		out[0] = '\0';
	}
	gf_buf_dispose(&b);
}
