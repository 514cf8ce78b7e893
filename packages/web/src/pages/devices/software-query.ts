/** Which live query lists a device's installed packages, and how its rows are filtered on the page. */

/** Distributions that install .rpm packages (os.name as the agent reports it from os-release). */
const RPM_DISTROS = /red hat|rhel|centos|fedora|rocky|alma|oracle|amazon|suse|mageia|openeuler/i;

/** The SQL that lists installed packages on a device with this OS name: rpm_packages on RPM distributions, else deb_packages. */
export function softwareQuery(osName: string): string {
  return RPM_DISTROS.test(osName)
    ? "SELECT name, version || '-' || release AS version, arch FROM rpm_packages ORDER BY name"
    : 'SELECT name, version, arch FROM deb_packages ORDER BY name';
}

/** The rows whose name or version contains the text (case-insensitive); every row for empty text. */
export function filterPackages(rows: unknown[][], text: string): unknown[][] {
  const needle = text.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((r) =>
    r.slice(0, 2).some((cell) =>
      String(cell ?? '')
        .toLowerCase()
        .includes(needle),
    ),
  );
}
