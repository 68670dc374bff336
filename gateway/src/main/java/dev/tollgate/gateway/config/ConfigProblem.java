package dev.tollgate.gateway.config;

/**
 * One precise reason a configuration file was rejected: where (file, line, field) and why.
 *
 * @param file    the file name as given to the loader
 * @param line    1-based line in that file, or 0 when the line is unknown
 * @param field   the dotted path of the offending field, e.g. {@code routes[0].upstream}
 * @param message what is wrong, phrased so an operator can fix it
 */
public record ConfigProblem(String file, int line, String field, String message) {

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file;
        return field.isEmpty() ? where + ": " + message : where + ": " + field + ": " + message;
    }
}
