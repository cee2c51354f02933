import type { Page } from 'playwright-core';

/**
 * Resolves once SvelteKit has hydrated the page and started its router: `_start_router()` runs
 * right after hydration and sets `history.scrollRestoration` to manual, which a fresh page load
 * never does before it. Checks made after this see the page as a person using it would.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => history.scrollRestoration === 'manual');
}

/** Elements reaching past the viewport's right edge (empty when the page fits): what to fix. */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${[...element.classList].map((c) => `.${c}`).join('')} (right edge ${Math.round(element.getBoundingClientRect().right)} px)`;
    const wide = [...document.body.querySelectorAll('*')].filter((element) => element.getBoundingClientRect().right > width + 0.5);
    // The innermost ones (their ancestors are wide only because of them), widest first: the first
    // reaches the page's own width, the rest may sit in a container that scrolls them.
    const innermost = wide
      .filter((element) => !wide.some((other) => other !== element && element.contains(other)))
      .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
    return [`page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`, ...innermost.slice(0, 5).map(describe)];
  });
}
