import ArgumentParser
import Datasets

/// The one help of `--data-dir`, in every command that reads a dataset: the directory given
/// is the only one searched (``DatasetLocator``), and without it the usual places are.
enum DataDirectoryHelp {
    static var help: ArgumentHelp {
        ArgumentHelp(
            "The directory holding the dataset's IDX files (or a <dataset> folder with them); only this directory is searched.",
            discussion: "Without it: $\(DatasetLocator.environmentVariable), /usr/share/datasets/<dataset> (apt-get install dataset-fashion-mnist), ~/.cache/brsgd/<dataset>.")
    }
}
