import CatalogCLI
import Foundation

exit(await CatalogCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
