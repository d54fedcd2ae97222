/* ptm.c: every senone's score for a whole turn (see ptm.h).
 *
 * What pocketsphinx 5prealpha does for a frame with -compallsen (its
 * ptm_mgau.c, acmod.c, ms_gauden.c), and what this file does the same way:
 *
 *   features   fe and feat of sphinxbase, set up from the same configuration
 *              and driven as acmod_process_full_raw() drives them: the whole
 *              turn's cepstra, then dynamic features with batch CMN;
 *   Gaussians  for each codebook (base phone) and feature stream, the log
 *              density of each of its 128 Gaussians in the log base of the
 *              decoder: det - sum over dimensions of (x - mean)^2 * var,
 *              with det and var precomputed from the model's variances as
 *              ms_gauden.c precomputes them, summed dimension by dimension in
 *              the same order, in single precision, without fused
 *              multiply-adds (the sums are then the same to the bit);
 *   top N      the -topn (4) best Gaussians of each codebook, found as
 *              pocketsphinx finds them: last frame's best first, then the
 *              others in order, each one that is at least as good as the
 *              worst kept is inserted; the same order of equals, the same
 *              history of 'last frames' (-pl_window + 2 slots, kept across
 *              turns as pocketsphinx keeps them);
 *   normalise  each stream's densities shifted by 10 bits, relative to the
 *              best codebook's best, clamped at 96;
 *   senones    per stream, the log sum (the 8-bit add table of the log math
 *              shifted by 10 bits) of mixture weight + density over the top
 *              N, summed over the streams, relative to the frame's best;
 *   the file   bio_writehdr's header (version, mdef_file, n_sen, logbase),
 *              then per frame the number of senones and their 16-bit scores.
 *
 * Where the time goes is the same; how it is spent differs in two places:
 *   - pocketsphinx computes one Gaussian after another and stops one early
 *     once it is worse than the worst of the top N; here the 128 of a
 *     codebook are computed side by side, all to the end.  A Gaussian only
 *     gets worse dimension by dimension, so stopping early changes nothing
 *     but the time, except for a sum that is not a number (the features of
 *     digital silence), which pocketsphinx stops at and so does eval_cb();
 *   - pocketsphinx adds the top N of each senone one senone at a time with
 *     its add table; here 16 senones of one codebook at once, the table
 *     turned into the thresholds where it steps down (add_staircase()).
 * Both kernels are built twice (target_clones: AVX2 and plain x86-64) and
 * never with fused multiply-adds.  On make bench's 9 turns, scoring took
 * 0.046 x real time with pocketsphinx's decoder and 0.010 with this file. */
#include "ptm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/bio.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/agc.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/logmath.h>
#include <sphinxbase/strfuncs.h>

#include "../util/util.h"

#define SENSCR_SHIFT 10            /* pocketsphinx's senone score shift */
#define MAX_NEG_ASCR 96            /* its clamp of a normalised density */
#define WORST_DIST ((int32)0x80000000)
#define WORST_SCORE ((int32)0xE0000000)
#define NDENS_MAX 256              /* Gaussians per codebook this file handles */
#define TOPN_MAX 16

/* The two kernels, built for AVX2 and for plain x86-64 (the sanitizer
 * build, KIOSK_PTM_PLAIN, builds the plain one only: so `make test` runs both
 * against pocketsphinx's scores on a machine with AVX2). */
#if defined(KIOSK_PTM_PLAIN) || !(defined(__x86_64__) || defined(__i386__))
/* (elsewhere, an ARM board for one, the plain kernel is the only one) */
#define KERNEL __attribute__((optimize("fp-contract=off")))
#else
#define KERNEL __attribute__((optimize("fp-contract=off"), target_clones("avx2", "default")))
#endif

typedef struct {
    int32 cw, score;
} topn_t;

struct ptm_s {
    cmd_ln_t *config;
    fe_t *fe;
    feat_t *fcb;
    logmath_t *lmath;              /* the decoder's: base -logbase, no shift */
    logmath_t *lmath_8b;           /* the same base, shifted 10 bits, with its add table */
    const uint8 *addtab;
    uint32 addsize;
    int n_cb, n_feat, n_dens, n_sen, topn, ds, n_hist;
    int featlen[8];
    int cmn_prefix;                /* $KIOSK_CMN=prefix:N: the mean of the first N frames, 0: the model's */
    float *det;                    /* [cb][feat][dens] */
    float *meant, *vart;           /* [cb][feat][dim][dens]: one dimension of all Gaussians together */
    size_t *cboff;                 /* [cb * n_feat + feat]: offset of its first dimension in meant/vart */
    uint8 *mixw;                   /* [feat][dens][sen]: -log weight, 8 bits */
    int16 *sen2cb;                 /* each senone's base phone: its codebook */
    int *run;                      /* senones run[k]..run[k+1]-1 share a codebook (n_run runs) */
    int n_run;
    int16 thr[32];                 /* the add table as thresholds: tab[d] = number of thr[] above d */
    int n_thr;                     /* -1: the table is not such a staircase (scalar add only) */
    topn_t *hist;                  /* [n_hist][cb][feat][topn] */
    int16 *senscr;
    char *mdef_file;
};

static void add_staircase(ptm_t *p);

static size_t topn_at(const ptm_t *p, int h, int cb, int f)
{
    return (((size_t)h * p->n_cb + cb) * p->n_feat + f) * p->topn;
}

/* ---- the model's files ---------------------------------------------- */

/* Means or variances: a bio header, then n_cb, n_feat, n_dens, the streams'
 * lengths, the count of floats and the floats ([cb][feat][dens][dim]). */
static float *read_gau(const char *path, int *n_cb, int *n_feat, int *n_dens, int *featlen,
                       char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    char **name = NULL, **val = NULL;
    int32 swap = 0;
    uint32 sum = 0;
    float *buf = NULL;
    if (!fp || bio_readhdr(fp, &name, &val, &swap) < 0) {
        snprintf(err, errlen, "%s: cannot read its header", path);
        goto fail;
    }
    bio_hdrarg_free(name, val);
    int32 hdr[3], len[8], n;
    if (bio_fread(hdr, sizeof(int32), 3, fp, swap, &sum) != 3 || hdr[1] < 1 || hdr[1] > 8 ||
        hdr[0] < 1 || hdr[2] < 1 || hdr[2] > NDENS_MAX ||
        bio_fread(len, sizeof(int32), hdr[1], fp, swap, &sum) != hdr[1] ||
        bio_fread(&n, sizeof(int32), 1, fp, swap, &sum) != 1) {
        snprintf(err, errlen, "%s: not a Gaussian parameter file it can read", path);
        goto fail;
    }
    long blk = 0;
    for (int i = 0; i < hdr[1]; i++) {
        if (len[i] < 1 || len[i] > 64) {
            snprintf(err, errlen, "%s: stream %d has %d dimensions", path, i, len[i]);
            goto fail;
        }
        blk += len[i];
        featlen[i] = len[i];
    }
    if ((long)n != (long)hdr[0] * hdr[2] * blk) {
        snprintf(err, errlen, "%s: %d floats for %d x %d x %ld", path, n, hdr[0], hdr[2], blk);
        goto fail;
    }
    buf = xcalloc((size_t)n, sizeof(float));
    if (bio_fread(buf, sizeof(float), n, fp, swap, &sum) != n) {
        snprintf(err, errlen, "%s: cut short", path);
        goto fail;
    }
    fclose(fp);
    *n_cb = hdr[0];
    *n_feat = hdr[1];
    *n_dens = hdr[2];
    return buf;
fail:
    if (fp) fclose(fp);
    free(buf);
    return NULL;
}

static int read_i32(FILE *fp, int swap, int32 *v)
{
    if (fread(v, 4, 1, fp) != 1) return -1;
    if (swap) *v = (int32)__builtin_bswap32((uint32)*v);
    return 0;
}

/* The mixture weights (sendump): a title, header strings up to an empty one,
 * rows and columns when unclustered, then [feat][dens][sen] bytes. */
static int read_sendump(ptm_t *p, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    char line[1001];
    int32 n;
    int swap = 0, n_clust = 0, n_bits = 8;
    if (!fp || fread(&n, 4, 1, fp) != 1) goto bad;
    if (n < 1 || n > 999) {
        n = (int32)__builtin_bswap32((uint32)n);
        if (n < 1 || n > 999) goto bad;
        swap = 1;
    }
    if (fread(line, 1, (size_t)n, fp) != (size_t)n || line[n - 1] != '\0') goto bad;   /* title */
    if (read_i32(fp, swap, &n) < 0 || n < 1 || n > 999 ||
        fread(line, 1, (size_t)n, fp) != (size_t)n || line[n - 1] != '\0')
        goto bad;                                                                   /* header */
    for (;;) {
        if (read_i32(fp, swap, &n) < 0 || n < 0 || n > 999) goto bad;
        if (n == 0) break;
        if (fread(line, 1, (size_t)n, fp) != (size_t)n) goto bad;
        line[n] = '\0';              /* pocketsphinx-en-us's last one, "!!!", has none */
        if (!strncmp(line, "cluster_count ", 14)) n_clust = atoi(line + 14);
        if (!strncmp(line, "cluster_bits ", 13)) n_bits = atoi(line + 13);
        if (!strncmp(line, "model_count ", 12) && atoi(line + 12) != p->n_sen) goto bad;
    }
    if (n_clust != 0 || n_bits != 8) {
        snprintf(err, errlen, "%s: clustered or 4-bit mixture weights (not scored here)", path);
        fclose(fp);
        return -1;
    }
    int32 r, c;
    if (read_i32(fp, swap, &r) < 0 || read_i32(fp, swap, &c) < 0 || r != p->n_dens ||
        c != p->n_sen)
        goto bad;
    size_t total = (size_t)p->n_feat * p->n_dens * p->n_sen;
    p->mixw = xmalloc(total);
    if (fread(p->mixw, 1, total, fp) != total) goto bad;
    fclose(fp);
    return 0;
bad:
    snprintf(err, errlen, "%s: not a mixture weight file it can read", path);
    if (fp) fclose(fp);
    return -1;
}

/* The model definition (binary mdef): each senone's base phone, taken from
 * the first phone whose states use it, as bin_mdef_read() does. */
static int read_mdef(ptm_t *p, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    uint8 *data = NULL;
    if (!fp) goto bad;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (size < 64 || size > (64L << 20)) goto bad;
    data = xmalloc((size_t)size);
    if (fread(data, 1, (size_t)size, fp) != (size_t)size) goto bad;
    fclose(fp);
    fp = NULL;
    int32 v[13];
    memcpy(v, data, 12);
    if (memcmp(data, "BMDF", 4) != 0) goto bad;   /* native byte order only */
    long pos = 12 + v[2];
    if (v[2] < 0 || pos + 40 > size) goto bad;
    memcpy(v + 3, data + pos, 40);
    pos += 40;
    int n_ci = v[3], n_phone = v[4], n_emit = v[5], n_sen = v[7], n_sseq = v[9], n_tree = v[11];
    if (n_ci < 1 || n_ci > 255 || n_phone < n_ci || n_emit < 1 || n_emit > 8 || n_sen < 1 ||
        n_sen > 32767 || n_sseq < 1 || n_tree < 0)
        goto bad;
    long names = pos;
    for (int i = 0; i < n_ci; i++) {
        while (pos < size && data[pos]) pos++;
        pos++;
    }
    pos = names + (((pos - names) + 3) & ~3L);
    pos += 8L * n_tree;
    long phones = pos;
    pos += 12L * n_phone;
    if (pos + 4 > size) goto bad;
    int32 sseq_size;
    memcpy(&sseq_size, data + pos, 4);
    pos += 4;
    if (sseq_size != n_sseq * n_emit || pos + 2L * sseq_size > size) goto bad;
    const uint8 *sseq = data + pos;
    p->n_sen = n_sen;
    p->sen2cb = xmalloc((size_t)n_sen * sizeof *p->sen2cb);
    for (int s = 0; s < n_sen; s++) p->sen2cb[s] = -1;
    for (int i = 0; i < n_phone; i++) {
        const uint8 *e = data + phones + 12L * i;
        int32 ssid;
        memcpy(&ssid, e, 4);
        int ci = i < n_ci ? i : e[9];      /* info.cd: wpos, then ctx[0] = the base phone */
        if (ssid < 0 || ssid >= n_sseq || ci >= n_ci) goto bad;
        for (int j = 0; j < n_emit; j++) {
            uint16_t s;
            memcpy(&s, sseq + 2L * (ssid * n_emit + j), 2);
            if (s >= n_sen) goto bad;
            if (p->sen2cb[s] == -1) p->sen2cb[s] = (int16)ci;
        }
    }
    if (n_ci != p->n_cb) {
        snprintf(err, errlen, "%s: %d base phones but %d codebooks (not a PTM model)", path, n_ci,
                 p->n_cb);
        free(data);
        return -1;
    }
    free(data);
    return 0;
bad:
    snprintf(err, errlen, "%s: not a binary model definition it can read", path);
    if (fp) fclose(fp);
    free(data);
    return -1;
}

/* det and 1/(2 var) in the log base, as ms_gauden.c precomputes them, then
 * laid out one dimension of all Gaussians together. */
static void precompute(ptm_t *p, float *mean, float *var, float varfloor)
{
    int blk = 0;
    for (int f = 0; f < p->n_feat; f++) blk += p->featlen[f];
    p->det = xcalloc((size_t)p->n_cb * p->n_feat * p->n_dens, sizeof(float));
    p->meant = xcalloc((size_t)p->n_cb * p->n_dens * blk, sizeof(float));
    p->vart = xcalloc((size_t)p->n_cb * p->n_dens * blk, sizeof(float));
    p->cboff = xcalloc((size_t)p->n_cb * p->n_feat, sizeof(size_t));
    size_t src = 0, dst = 0;
    for (int m = 0; m < p->n_cb; m++) {
        for (int f = 0; f < p->n_feat; f++) {
            int len = p->featlen[f];
            p->cboff[m * p->n_feat + f] = dst;
            float *det = p->det + ((size_t)m * p->n_feat + f) * p->n_dens;
            for (int d = 0; d < p->n_dens; d++) {
                float acc = 0;
                for (int i = 0; i < len; i++) {
                    float v = var[src + (size_t)d * len + i];
                    if (v < varfloor) v = varfloor;
                    acc += (float)logmath_log(p->lmath, 1.0 / sqrt(v * 2.0 * M_PI));
                    p->vart[dst + (size_t)i * p->n_dens + d] =
                        (float)logmath_ln_to_log(p->lmath, 1.0 / (v * 2.0));
                    p->meant[dst + (size_t)i * p->n_dens + d] = mean[src + (size_t)d * len + i];
                }
                det[d] = acc;
            }
            src += (size_t)p->n_dens * len;
            dst += (size_t)p->n_dens * len;
        }
    }
}

/* feat_init() and the rest of acmod_init_feat(): sub-vectors, CMN's start,
 * with CMN cmn (the model's, or $KIOSK_CMN's: ptm_open). */
static feat_t *make_feat(cmd_ln_t *c, const char *cmn)
{
    feat_t *fcb = feat_init(cmd_ln_str_r(c, "-feat"), cmn_type_from_str(cmn),
                            cmd_ln_boolean_r(c, "-varnorm"),
                            agc_type_from_str(cmd_ln_str_r(c, "-agc")), 1,
                            cmd_ln_int32_r(c, "-ceplen"));
    if (!fcb) return NULL;
    if (cmd_ln_str_r(c, "_lda")) {        /* pocketsphinx-en-us has none; not handled here */
        feat_free(fcb);
        return NULL;
    }
    const char *sv = cmd_ln_str_r(c, "-svspec");
    if (sv) {
        int32 **subvecs = parse_subvecs(sv);
        if (!subvecs || feat_set_subvecs(fcb, subvecs) < 0) {
            feat_free(fcb);
            return NULL;
        }
    }
    if (fcb->cmn_struct && cmd_ln_exists_r(c, "-cmninit") && cmd_ln_str_r(c, "-cmninit")) {
        char *list = ckd_salloc(cmd_ln_str_r(c, "-cmninit"));
        char *s = list, *comma;
        int n = 0;
        while (n < fcb->cmn_struct->veclen && (comma = strchr(s, ','))) {
            *comma = '\0';
            fcb->cmn_struct->cmn_mean[n++] = FLOAT2MFCC(atof_c(s));
            s = comma + 1;
        }
        if (n < fcb->cmn_struct->veclen && *s) fcb->cmn_struct->cmn_mean[n] = FLOAT2MFCC(atof_c(s));
        ckd_free(list);
    }
    return fcb;
}

ptm_t *ptm_open(cmd_ln_t *config, char *err, size_t errlen)
{
    const char *meanf = cmd_ln_str_r(config, "_mean"), *varf = cmd_ln_str_r(config, "_var");
    const char *sendump = cmd_ln_str_r(config, "_sendump"), *mdef = cmd_ln_str_r(config, "_mdef");
    if (!meanf || !varf || !mdef || !sendump) {
        snprintf(err, errlen, "the model has no means, variances, mdef or sendump file");
        return NULL;
    }
    if (cmd_ln_str_r(config, "-mllr") || cmd_ln_int32_r(config, "-topn") < 1 ||
        cmd_ln_int32_r(config, "-topn") > TOPN_MAX) {
        snprintf(err, errlen, "an MLLR transform or a -topn it does not handle");
        return NULL;
    }
    ptm_t *p = xcalloc(1, sizeof *p);
    p->config = cmd_ln_retain(config);
    float *mean = NULL, *var = NULL;
    int cb2, f2, d2, len2[8];
    p->lmath = logmath_init((float64)cmd_ln_float32_r(config, "-logbase"), 0, FALSE);
    p->lmath_8b = p->lmath ? logmath_init(logmath_get_base(p->lmath), SENSCR_SHIFT, TRUE) : NULL;
    if (!p->lmath_8b || logmath_get_width(p->lmath_8b) != 1) {
        snprintf(err, errlen, "log base %g: no 8-bit add table", logmath_get_base(p->lmath));
        goto fail;
    }
    p->addtab = LOGMATH_TABLE(p->lmath_8b)->table;
    p->addsize = LOGMATH_TABLE(p->lmath_8b)->table_size;
    if (!(mean = read_gau(meanf, &p->n_cb, &p->n_feat, &p->n_dens, p->featlen, err, errlen)) ||
        !(var = read_gau(varf, &cb2, &f2, &d2, len2, err, errlen)))
        goto fail;
    if (cb2 != p->n_cb || f2 != p->n_feat || d2 != p->n_dens ||
        memcmp(len2, p->featlen, sizeof(int) * (size_t)p->n_feat) != 0) {
        snprintf(err, errlen, "%s and %s differ in shape", meanf, varf);
        goto fail;
    }
    if (read_mdef(p, mdef, err, errlen) < 0 || read_sendump(p, sendump, err, errlen) < 0) goto fail;
    /* $KIOSK_CMN ("live", "prefix:N") puts another CMN in place of the
     * model's batch one, for measuring what scoring a turn as it is spoken
     * would cost in recognition; src/DECISIONS.md. */
    const char *cmn = getenv("KIOSK_CMN") && *getenv("KIOSK_CMN") ? getenv("KIOSK_CMN") : cmd_ln_str_r(config, "-cmn");
    if (!strncmp(cmn, "prefix:", 7)) {   /* ptm_score does it (prefix_cmn) */
        if ((p->cmn_prefix = atoi(cmn + 7)) < 1) {
            snprintf(err, errlen, "KIOSK_CMN=%s: give the frames, e.g. prefix:100", cmn);
            goto fail;
        }
        cmn = "none";
    }
    p->fe = fe_init_auto_r(config);
    p->fcb = p->fe ? make_feat(config, cmn) : NULL;
    if (!p->fcb || feat_dimension1(p->fcb) != p->n_feat) {
        snprintf(err, errlen, "the front end or its feature streams do not match the model");
        goto fail;
    }
    for (int f = 0; f < p->n_feat; f++) {
        if (feat_dimension2(p->fcb, f) != (uint32)p->featlen[f]) {
            snprintf(err, errlen, "feature stream %d has %u dimensions, the model %d", f,
                     feat_dimension2(p->fcb, f), p->featlen[f]);
            goto fail;
        }
    }
    precompute(p, mean, var, cmd_ln_float32_r(config, "-varfloor"));
    free(mean);
    free(var);
    mean = var = NULL;
    p->topn = cmd_ln_int32_r(config, "-topn");
    p->ds = cmd_ln_int32_r(config, "-ds");
    if (p->ds < 1) p->ds = 1;
    p->n_hist = cmd_ln_int32_r(config, "-pl_window") + 2;
    if (p->n_hist < 2) p->n_hist = 2;
    p->hist = xcalloc((size_t)p->n_hist * p->n_cb * p->n_feat * p->topn, sizeof(topn_t));
    for (int h = 0; h < p->n_hist; h++)
        for (int m = 0; m < p->n_cb; m++)
            for (int f = 0; f < p->n_feat; f++)
                for (int k = 0; k < p->topn; k++)
                    p->hist[topn_at(p, h, m, f) + k] = (topn_t){ k, WORST_DIST };
    p->senscr = xcalloc((size_t)p->n_sen, sizeof *p->senscr);
    p->mdef_file = xstrdup(mdef);
    p->run = xmalloc(((size_t)p->n_sen + 1) * sizeof *p->run);
    for (int sen = 0; sen < p->n_sen; sen++)
        if (sen == 0 || p->sen2cb[sen] != p->sen2cb[sen - 1]) p->run[p->n_run++] = sen;
    p->run[p->n_run] = p->n_sen;
    add_staircase(p);
    return p;
fail:
    free(mean);
    free(var);
    ptm_close(p);
    return NULL;
}

void ptm_close(ptm_t *p)
{
    if (!p) return;
    if (p->fcb) feat_free(p->fcb);
    if (p->fe) fe_free(p->fe);
    logmath_free(p->lmath_8b);
    logmath_free(p->lmath);
    cmd_ln_free_r(p->config);
    free(p->det);
    free(p->meant);
    free(p->vart);
    free(p->cboff);
    free(p->mixw);
    free(p->sen2cb);
    free(p->run);
    free(p->hist);
    free(p->senscr);
    free(p->mdef_file);
    free(p);
}

/* ---- one frame -------------------------------------------------------- */

typedef float v8f __attribute__((vector_size(32)));

/* The log density of each Gaussian of codebook cb, stream f, at obs, into
 * out[0..n_dens): det - (x - mean)^2 * var, dimension after dimension,
 * each step rounded to single precision as pocketsphinx rounds it.  early[]
 * gets the sum before the last step that eval_cb() in pocketsphinx takes
 * without looking (the last 4 dimensions): where that is not a number (the
 * features of digital silence are not), pocketsphinx has stopped the
 * Gaussian there, and so must eval_cb() below. */
KERNEL
static void densities(const ptm_t *p, int cb, int f, const float *obs, float *out, float *early)
{
    const float *det = p->det + ((size_t)cb * p->n_feat + f) * p->n_dens;
    size_t off = p->cboff[cb * p->n_feat + f];
    const float *mean = p->meant + off, *var = p->vart + off;
    int nd = p->n_dens, len = p->featlen[f];
    int chk = len >= 4 ? len - 4 : len - 1;   /* dimensions summed before the last step */
    if (nd % 8 == 0) {
        for (int d = 0; d < nd; d += 8) {
            v8f acc;
            memcpy(&acc, det + d, sizeof acc);
            for (int i = 0; i < len; i++) {
                if (i == chk) memcpy(early + d, &acc, sizeof acc);
                v8f m, v;
                memcpy(&m, mean + (size_t)i * nd + d, sizeof m);
                memcpy(&v, var + (size_t)i * nd + d, sizeof v);
                v8f diff = obs[i] - m;
                v8f sq = diff * diff;
                v8f c = sq * v;
                acc = acc - c;
            }
            memcpy(out + d, &acc, sizeof acc);
        }
        return;
    }
    for (int d = 0; d < nd; d++) {
        float acc = det[d];
        for (int i = 0; i < len; i++) {
            if (i == chk) early[d] = acc;
            float diff = obs[i] - mean[(size_t)i * nd + d];
            float sq = diff * diff;
            float c = sq * var[(size_t)i * nd + d];
            acc = acc - c;
        }
        out[d] = acc;
    }
}

/* (int32)d as pocketsphinx gets it on x86-64 (cvttss2si): INT32_MIN for a
 * density that is not a number or out of range, where C leaves the
 * conversion undefined. */
static int32 to_i32(float d)
{
    return d > -2147483648.0f && d < 2147483648.0f ? (int32)d : INT32_MIN;
}

/* Last frame's top N (already copied into t) with their new densities,
 * sorted as pocketsphinx's eval_topn() sorts them. */
static void eval_topn(topn_t *t, int n, const float *dens)
{
    for (int i = 0; i < n; i++) {
        int32 d = to_i32(dens[t[i].cw]);
        topn_t tmp = { t[i].cw, d };
        int j;
        for (j = i - 1; j >= 0 && d > t[j].score; j--) t[j + 1] = t[j];
        t[j + 1] = tmp;
    }
}

/* Every other Gaussian, in order, inserted when at least as good as the
 * worst kept (pocketsphinx's eval_cb()). */
static void eval_cb(topn_t *t, int n, const float *dens, const float *early, int n_dens)
{
    topn_t *worst = t + n - 1;
    for (int cw = 0; cw < n_dens; cw++) {
        float d = dens[cw];
        if (isnan(early[cw]) || d < (float)worst->score) continue;
        int i;
        for (i = 0; i < n && t[i].cw != cw; i++) {}
        if (i < n) continue;
        int32 intd = to_i32(d);
        topn_t *cur;
        for (cur = worst - 1; cur >= t && intd >= cur->score; --cur) cur[1] = cur[0];
        ++cur;
        cur->cw = cw;
        cur->score = intd;
    }
}

static int logadd8(const ptm_t *p, int x, int y)
{
    int d, r;
    if (x > y) {
        d = x - y;
        r = y;
    } else {
        d = y - x;
        r = x;
    }
    if (d < 0 || (uint32)d >= p->addsize) return r;
    return r - p->addtab[d];
}

/* The 8-bit add table of pocketsphinx-en-us's log base falls from 7 at 0 to
 * 0 at 29 and stays there: tab[d] is then the number of thresholds above d
 * (thr[v - 1] = the first d where it is below v), which vectors compute
 * with comparisons where they could not look up a table.  Checked entry by
 * entry; any other table is looked up one senone at a time. */
static void add_staircase(ptm_t *p)
{
    p->n_thr = -1;
    int top = p->addtab[0];
    if (top > 32) return;
    for (int v = 1; v <= top; v++) {
        uint32 d = 0;
        while (d < p->addsize && p->addtab[d] >= v) d++;
        p->thr[v - 1] = (int16)d;
    }
    for (uint32 d = 0; d < p->addsize; d++) {
        int n = 0;
        for (int v = 0; v < top; v++) n += (int)d < p->thr[v];
        if (n != p->addtab[d]) return;
    }
    p->n_thr = top;
}

typedef int16_t v16s __attribute__((vector_size(32)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));

/* Senones sen..sen+15, all of codebook topn row cur (one per stream): the
 * sum over streams of the log sum over the top N of weight + density. */
KERNEL
static void senones16(const ptm_t *p, const topn_t *cur, int sen, int16 *out)
{
    size_t row = (size_t)p->n_sen;
    v16s ascore = { 0 };
    for (int f = 0; f < p->n_feat; f++) {
        const topn_t *t = cur + (size_t)f * p->topn;
        const uint8 *w = p->mixw + (size_t)f * p->n_dens * row + sen;
        v16s fden = { 0 };
        for (int j = 0; j < p->topn; j++) {
            v16u8 b;
            memcpy(&b, w + (size_t)t[j].cw * row, sizeof b);
            v16s x = __builtin_convertvector(b, v16s) + (int16_t)t[j].score;
            if (j == 0) {
                fden = x;
                continue;
            }
            /* logadd8(), 16 at once, with add_staircase()'s thresholds */
            v16s lt = fden < x;
            v16s lo = (fden & lt) | (x & ~lt), hi = (fden & ~lt) | (x & lt);
            v16s d = hi - lo, tab = { 0 };
            for (int v = 0; v < p->n_thr; v++) tab += d < p->thr[v];   /* -1 per threshold above d */
            fden = lo + tab;
        }
        ascore += fden;
    }
    memcpy(out, &ascore, sizeof ascore);
}

static void score_frame(ptm_t *p, mfcc_t **feat, int frame)
{
    int slot = frame % p->n_hist, last = slot == 0 ? p->n_hist - 1 : slot - 1;
    topn_t *cur = p->hist + topn_at(p, slot, 0, 0);
    size_t block = (size_t)p->n_cb * p->n_feat * p->topn;
    memcpy(cur, p->hist + topn_at(p, last, 0, 0), block * sizeof *cur);
    float dens[NDENS_MAX], early[NDENS_MAX];
    for (int m = 0; m < p->n_cb; m++) {
        for (int f = 0; f < p->n_feat; f++) {
            topn_t *t = cur + ((size_t)m * p->n_feat + f) * p->topn;
            densities(p, m, f, feat[f], dens, early);
            eval_topn(t, p->topn, dens);
            if (frame % p->ds == 0) eval_cb(t, p->topn, dens, early, p->n_dens);
        }
    }
    /* normalise each stream to its best codebook (ptm_mgau_codebook_norm) */
    for (int f = 0; f < p->n_feat; f++) {
        int32 norm = WORST_SCORE;
        for (int m = 0; m < p->n_cb; m++) {
            int32 s = cur[((size_t)m * p->n_feat + f) * p->topn].score >> SENSCR_SHIFT;
            if (norm < s) norm = s;
        }
        for (int m = 0; m < p->n_cb; m++) {
            topn_t *t = cur + ((size_t)m * p->n_feat + f) * p->topn;
            for (int k = 0; k < p->topn; k++) {
                int32 s = -((t[k].score >> SENSCR_SHIFT) - norm);
                t[k].score = s > MAX_NEG_ASCR ? MAX_NEG_ASCR : s;
            }
        }
    }
    /* the senones (ptm_mgau_senone_eval with every senone active) */
    int best = 0x7fffffff;
    size_t row = (size_t)p->n_sen;
    memset(p->senscr, 0, row * sizeof *p->senscr);
    for (int k = 0; k < p->n_run; k++) {
        int cb = p->sen2cb[p->run[k]], sen = p->run[k], end = p->run[k + 1];
        if (cb < 0) continue;
        if (p->n_thr >= 0 && p->topn > 0) {
            /* 16 at a time (the scores are the same as below: int16 holds
             * them, 3 streams x (255 + 96) at most) */
            const topn_t *t = cur + (size_t)cb * p->n_feat * p->topn;
            for (; sen + 16 <= end; sen += 16) {
                senones16(p, t, sen, p->senscr + sen);
                for (int i = 0; i < 16; i++)
                    if (p->senscr[sen + i] < best) best = p->senscr[sen + i];
            }
        }
        for (; sen < end; sen++) {
            int ascore = 0;
            for (int f = 0; f < p->n_feat; f++) {
                const topn_t *t = cur + ((size_t)cb * p->n_feat + f) * p->topn;
                const uint8 *w = p->mixw + (size_t)f * p->n_dens * row + sen;
                int fden = w[(size_t)t[0].cw * row] + t[0].score;
                for (int j = 1; j < p->topn; j++)
                    fden = logadd8(p, fden, w[(size_t)t[j].cw * row] + t[j].score);
                ascore += fden;
            }
            if (ascore < best) best = ascore;
            p->senscr[sen] = (int16)ascore;
        }
    }
    for (int sen = 0; sen < p->n_sen; sen++) p->senscr[sen] = (int16)(p->senscr[sen] - best);
}

/* Batch CMN as sphinxbase does it (frames of negative energy left out of
 * the mean), but the mean of the first `first` frames only: what a search
 * fed as the turn is spoken could use once those frames are heard. */
static void prefix_cmn(mfcc_t **cep, int nfr, int veclen, int first)
{
    mfcc_t mean[64] = {0};
    int n = 0;
    if (veclen > 64) return;
    for (int f = 0; f < nfr && f < first; f++) {
        if (cep[f][0] < 0) continue;
        for (int i = 0; i < veclen; i++) mean[i] += cep[f][i];
        n++;
    }
    if (!n) return;
    for (int i = 0; i < veclen; i++) mean[i] /= n;
    for (int f = 0; f < nfr; f++)
        for (int i = 0; i < veclen; i++) cep[f][i] -= mean[i];
}

int ptm_score(ptm_t *p, const int16_t *pcm, size_t n, const char *path, char *err, size_t errlen)
{
    int32 nfr = 0, ntail = 0;
    size_t left = n;
    const int16 *in = pcm;
    mfcc_t **cep = NULL;
    mfcc_t ***feat = NULL;
    FILE *fh = NULL;
    int ret = -1;
    /* acmod_process_full_raw(): count, then the whole turn, then its tail */
    fe_start_utt(p->fe);
    if (fe_process_frames(p->fe, NULL, &left, NULL, &nfr, NULL) < 0) goto fail_fe;
    cep = (mfcc_t **)ckd_calloc_2d((size_t)nfr + 1, (size_t)fe_get_output_size(p->fe),
                                   sizeof(mfcc_t));
    fe_start_utt(p->fe);
    left = n;
    if (fe_process_frames(p->fe, &in, &left, cep, &nfr, NULL) < 0) goto fail_fe;
    fe_end_utt(p->fe, cep[nfr], &ntail);
    nfr += ntail;
    int nfeat = 0;
    if (nfr > 0) {
        feat = feat_array_alloc(p->fcb, nfr);
        int32 ncep = nfr;
        if (p->cmn_prefix) prefix_cmn(cep, nfr, fe_get_output_size(p->fe), p->cmn_prefix);
        nfeat = feat_s2mfc2feat_live(p->fcb, cep, &ncep, TRUE, TRUE, feat);
        if (nfeat < 0) goto fail_fe;
    }
    fh = fopen(path, "wb");
    char nsen[32], base[64];
    snprintf(nsen, sizeof nsen, "%d", p->n_sen);
    snprintf(base, sizeof base, "%f", logmath_get_base(p->lmath));
    if (!fh || bio_writehdr(fh, "version", "0.1", "mdef_file", p->mdef_file, "n_sen", nsen,
                            "logbase", base, NULL) < 0)
        goto fail_io;
    int16 nact = (int16)p->n_sen;
    for (int fr = 0; fr < nfeat; fr++) {
        score_frame(p, feat[fr], fr);
        if (fwrite(&nact, 2, 1, fh) != 1 ||
            fwrite(p->senscr, 2, (size_t)p->n_sen, fh) != (size_t)p->n_sen)
            goto fail_io;
    }
    if (fclose(fh) != 0) {
        fh = NULL;
        goto fail_io;
    }
    fh = NULL;
    ret = nfeat;
    goto done;
fail_fe:
    snprintf(err, errlen, "the front end could not take this turn's audio");
    goto done;
fail_io:
    snprintf(err, errlen, "%s: cannot write the turn's scores", path);
done:
    if (fh) fclose(fh);
    if (feat) feat_array_free(feat);
    if (cep) ckd_free_2d(cep);
    return ret;
}
