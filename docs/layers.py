"""Print the house as the imports draw it: which package imports which, and how many module-to-module
imports each arrow carries (`make layers`). ARCHITECTURE.md shows its output; `lint-imports` enforces
the rules."""

import grimp

PACKAGES = ("nisa", "certificates", "training", "people", "courses", "foundation")  # top floor first


def arrows(graph: grimp.ImportGraph) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for importer in PACKAGES:
        for imported in PACKAGES:
            if importer == imported:
                continue
            lines = graph.find_matching_direct_imports(import_expression=f"{importer}.** -> {imported}.**")
            if lines:
                counts[(importer, imported)] = len(lines)
    return counts


def main() -> None:
    graph = grimp.build_graph(*PACKAGES)
    found = arrows(graph)
    floor = {package: level for level, package in enumerate(PACKAGES)}
    for (importer, imported), count in sorted(
        found.items(), key=lambda pair: tuple(floor[p] for p in pair[0])
    ):
        direction = "down" if floor[imported] > floor[importer] else "UP"
        print(f"{importer:>13} -> {imported:<12} {count:>4} module imports  ({direction})")
    print(f"{len(graph.modules)} modules; arrows pointing up: {sum(floor[b] < floor[a] for a, b in found)}")


if __name__ == "__main__":
    main()
