/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CONFIG_H
#define VNS_CONFIG_H

/**
 * @file
 * Configuration files: the switch's options (those after "--") kept in a
 * file, one a line, so that a systemd unit or an operator keeps the setup
 * in /etc. The file and the command line are one model: `--config FILE` is
 * replaced by the options the file holds, and parsed with the rest.
 *
 *     # two containers and a NIC
 *     vduse red,netns=red,ifname=eth0
 *     port 0000:01:00.0,vlan=10
 *     fwd bridge
 *     hugepages
 *
 * A line is KEY or KEY VALUE for --KEY or --KEY VALUE; '#' starts a comment
 * (outside a value's first character it is taken literally); blank lines
 * are skipped; a file cannot name another with "config".
 */

/**
 * Replace each `--config FILE` (or `--config=FILE`) of @p argv with the
 * options FILE holds. argv[0] stays first.
 *
 * @param nargc set to the new count
 * @param nargv set to a new argv (free it with vns_config_free())
 * @return 0, or -1 after printing which file or line is wrong and why.
 */
int vns_config_expand(int argc, char **argv, int *nargc, char ***nargv);

/** Free an argv from vns_config_expand() (NULL allowed). */
void vns_config_free(int argc, char **argv);

#endif /* VNS_CONFIG_H */
